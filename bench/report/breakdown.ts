import type { EngineCounters } from "../flow/types.ts";
import { loadGeneratorName } from "../measure/processes.ts";
import type { FlowResult } from "../run-flow.ts";

export type PerOrder = {
  completed: number;
  statements: number;
  commits: number;
  rollbacks: number;
  redisCommands: number;
  kafkaRecords: number;
  kafkaBytesPerRecord: number;
  topStatements: Array<{ query: string; perOrder: number; meanMs: number }>;
  topRedis: Array<{ command: string; perOrder: number }>;
};

const oneLine = (query: string) => query.replace(/\s+/g, " ").trim();

/** Round trips per completed order over the saturation window: statements, commits, Redis commands, Kafka records. */
export function perOrder(counters: NonNullable<FlowResult["counters"]>): PerOrder {
  const { before, after, completed } = counters;
  const n = Math.max(1, completed);
  const byQuery = (c: EngineCounters) => {
    const map = new Map<string, { calls: number; totalMs: number }>();
    // The bench's own reads of these views are not the flow's.
    for (const s of c.statements.filter((s) => !/pg_stat_(statements|database)/.test(s.query))) {
      const key = oneLine(s.query);
      const seen = map.get(key) ?? { calls: 0, totalMs: 0 };
      map.set(key, { calls: seen.calls + s.calls, totalMs: seen.totalMs + s.totalMs });
    }
    return map;
  };
  const [from, to] = [byQuery(before), byQuery(after)];
  const statements = [...to].map(([query, s]) => ({ query, calls: s.calls - (from.get(query)?.calls ?? 0), totalMs: s.totalMs - (from.get(query)?.totalMs ?? 0) })).filter((s) => s.calls > 0);
  const redis = [...after.redis].map(([command, calls]) => ({ command, calls: calls - (before.redis.get(command) ?? 0) })).filter((r) => r.calls > 0);
  const db = (name: string) => (after.database[name] ?? 0) - (before.database[name] ?? 0);
  const records = after.kafka.records - before.kafka.records;
  return {
    completed,
    // Without pg_stat_statements (a server that does not preload it) the count is unknown, not zero.
    statements: after.statements.length > 0 ? statements.reduce((sum, s) => sum + s.calls, 0) / n : Number.NaN,
    commits: db("xact_commit") / n,
    rollbacks: db("xact_rollback") / n,
    redisCommands: redis.reduce((sum, r) => sum + r.calls, 0) / n,
    kafkaRecords: records / n,
    kafkaBytesPerRecord: records > 0 ? (after.kafka.bytes - before.kafka.bytes) / records : 0,
    topStatements: statements.sort((a, b) => b.calls - a.calls).slice(0, 12).map((s) => ({ query: s.query.slice(0, 110), perOrder: s.calls / n, meanMs: s.totalMs / s.calls })),
    topRedis: redis.sort((a, b) => b.calls - a.calls).slice(0, 6).map((r) => ({ command: r.command, perOrder: r.calls / n })),
  };
}

/** CPU of each process in each phase, as % of one core. */
export function cpuTable(flow: FlowResult): { phases: string[]; rows: Array<{ role: string; percent: number[] }> } {
  const roles = [...new Set(flow.cpu.flatMap((c) => Object.keys(c.cpuSeconds)))];
  return {
    phases: flow.cpu.map((c) => c.phase),
    rows: roles.map((role) => ({ role, percent: flow.cpu.map((c) => (100 * (c.cpuSeconds[role] ?? 0)) / Math.max(0.001, c.seconds)) })),
  };
}

const flowSeconds = (cpuSeconds: Record<string, number>) =>
  Object.entries(cpuSeconds).reduce((sum, [role, seconds]) => (role === loadGeneratorName ? sum : sum + seconds), 0);

/**
 * CPU per completed order, in ms, for each process and in all, in each phase that waits for its
 * orders to complete (saturation's window, the fixed rates and the soak). It shows what batching
 * from load does: at a low rate every event travels alone and an order costs its fixed costs.
 */
export function cpuPerOrderTable(flow: FlowResult): { phases: string[]; rows: Array<{ role: string; ms: number[] }> } {
  const phases = flow.cpu.filter((c) => c.completed !== undefined && c.completed > 0);
  // A process that ran in none of these phases (the order API measured alone) has no row.
  const roles = [...new Set(phases.flatMap((c) => Object.entries(c.cpuSeconds).flatMap(([role, seconds]) => (seconds > 0 ? [role] : []))))];
  const msPerOrder = (c: (typeof phases)[number], seconds: number) => (1000 * seconds) / c.completed!;
  return {
    phases: phases.map((c) => c.phase),
    rows: [
      ...roles.map((role) => ({ role, ms: phases.map((c) => msPerOrder(c, c.cpuSeconds[role] ?? 0)) })),
      { role: "the flow in all (the load generator left out)", ms: phases.map((c) => msPerOrder(c, flowSeconds(c.cpuSeconds))) },
    ],
  };
}
