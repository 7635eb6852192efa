import { loadGeneratorName } from "../measure/processes.ts";
import type { FlowResult, RatePhase } from "../run-flow.ts";
import type { Limits } from "../run-limits.ts";
import { perOrder } from "./breakdown.ts";
import { formatRatio } from "./figures.ts";

export type Target = { target: string; measured: string; met: boolean | undefined };

/** The soak the memory target asks for. */
const targetSoakMinutes = 10;

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** The issue's targets, each against this run's figures (undefined: not measured in this run). */
export function targets(flows: FlowResult[], limits: Limits | undefined): Target[] {
  const real = flows.find((f) => f.name === "real");
  const embedded = flows.find((f) => f.name === "embedded");
  const orderTps = limits?.pgbench.order.tps ?? Number.NaN;
  const list: Target[] = [];
  if (real) {
    const c = real.closedLoop.completedPerSecond;
    list.push({ target: "≥ 500 completed orders/s on Kafka + PostgreSQL + Redis, and ≥ 0.15 × pgbench (order transaction)", measured: `${fixed(c, 1)}/s = ${formatRatio(c / orderTps)} ${fixed(orderTps)} tps`, met: c >= 500 && c >= 0.15 * orderTps });
  }
  if (embedded) {
    const c = embedded.closedLoop.completedPerSecond;
    list.push({ target: "≥ 300 completed orders/s embedded", measured: `${fixed(c, 1)}/s`, met: c >= 300 });
  }
  // Judged twice where the flow can be frozen: the order API alone, and with the flow competing for the same cores.
  for (const flow of [real, embedded].filter((f): f is FlowResult => Boolean(f))) {
    const bursts = [
      ...(flow.burstAlone ? [{ burst: flow.burstAlone, how: "the order API alone, the rest of the flow frozen" }] : []),
      { burst: flow.burst, how: "the flow running behind" },
    ];
    for (const { burst: { perSecond, latencyMs }, how } of bursts) {
      list.push({
        target: `≥ 2,000 accepted orders/s with p99 ≤ 50 ms, ≥ 0.5 × pgbench (${flow.name === "real" ? "Kafka + PostgreSQL + Redis" : "embedded"}; ${how})`,
        measured: `${fixed(perSecond)}/s (${formatRatio(perSecond / orderTps)} pgbench), p99 ${fixed(latencyMs.p99, 1)} ms`,
        met: perSecond >= 2000 && latencyMs.p99 <= 50 && perSecond >= 0.5 * orderTps,
      });
    }
  }
  const at50 = real?.rates.find((r) => r.rate === 50);
  if (at50) {
    const shipped = at50.stages.shipped;
    list.push({ target: "at 50 orders/s, 202 → shipped p50 ≤ 20 ms and p99 ≤ 60 ms on the real engines", measured: `p50 ${fixed(shipped.p50, 1)} ms, p99 ${fixed(shipped.p99, 1)} ms`, met: shipped.p50 <= 20 && shipped.p99 <= 60 });
  }
  // The flow's processes are judged; what grows by design (the engines' data, as a table's does;
  // the load generator's orders) is shown in the soak table, not judged.
  for (const flow of flows.filter((f) => f.soak)) {
    const growth = soakGrowth(flow).filter((g) => !(g.role in flow.growsByDesign));
    const worst = growth.sort((a, b) => b.percent - a.percent)[0];
    // First minute against last: a shorter soak than the target's compares windows that overlap.
    const minutes = (flow.soak!.endedAt - flow.soak!.startedAt) / 60_000;
    const tooShort = minutes < targetSoakMinutes ? ` (a ${fixed(minutes, 1)}-minute soak: not judged, the target asks for ${targetSoakMinutes})` : "";
    const behind = fellBehind(flow.soak!);
    list.push({
      target: `memory flat over the soak (${flow.name}; the flow's processes)`,
      measured: `${worst ? `largest growth: ${worst.role} ${fixed(worst.percent, 1)} % (${fixed(worst.fromMiB)} → ${fixed(worst.toMiB)} MiB)` : "n/a"}${tooShort}${behind ? `; ${behind}` : ""}`,
      // A flow that fell behind holds its backlog in memory: it is not flat at this rate, whatever the figure.
      met: worst && !tooShort ? worst.percent <= 10 && !behind : undefined,
    });
  }
  if (!flows.some((f) => f.soak)) list.push({ target: "memory flat over a 10-minute soak at 200 orders/s", measured: "not run (`--soak`)", met: undefined });
  return list;
}

/**
 * Said when the flow did not keep up with the soak's rate: more than ten seconds of arrivals still
 * in flight when the last order was sent (a flow that keeps up holds about rate × its latency).
 */
export function fellBehind(soak: RatePhase): string | undefined {
  const inFlight = soak.inFlightAtEnd;
  if (inFlight <= soak.rate * 10) return undefined;
  const completedPerSecond = (soak.orders - inFlight) / ((soak.endedAt - soak.startedAt) / 1000);
  return `the flow fell behind: ${inFlight} orders in flight when the last was sent (${fixed(completedPerSecond)} completed/s while sending), its backlog part of its memory`;
}

/** Resident memory of each process over the soak: the first minute's average against the last minute's. */
export function soakGrowth(flow: FlowResult): Array<{ role: string; fromMiB: number; toMiB: number; percent: number }> {
  const soak = flow.soak;
  if (!soak) return [];
  return Object.entries(flow.memory).flatMap(([role, series]) => {
    const during = series.filter((s) => s.at >= soak.startedAt && s.at <= soak.endedAt);
    if (during.length < 4) return [];
    const avg = (xs: typeof during) => xs.reduce((sum, s) => sum + s.memoryKiB, 0) / xs.length / 1024;
    const first = avg(during.filter((s) => s.at < soak.startedAt + 60_000));
    const last = avg(during.filter((s) => s.at > soak.endedAt - 60_000));
    return [{ role, fromMiB: first, toMiB: last, percent: (100 * (last - first)) / first }];
  });
}

/** Where the time goes, said in a few sentences from the figures: the busiest process, the round trips, the next lever. */
export function nextLever(flow: FlowResult): string[] {
  const lines: string[] = [];
  const saturation = flow.cpu.find((c) => c.phase === "saturation");
  if (saturation) {
    const busiest = Object.entries(saturation.cpuSeconds).filter(([r]) => !r.includes("shared") && r !== loadGeneratorName).map(([role, s]) => ({ role, percent: (100 * s) / saturation.seconds })).sort((a, b) => b.percent - a.percent);
    const total = busiest.reduce((sum, b) => sum + b.percent, 0);
    const cores = 100 * navigator.hardwareConcurrency;
    lines.push(`In saturation the flow's processes used ${fixed(total)} % of one core out of ${cores} %; the busiest: ${busiest.slice(0, 3).map((b) => `${b.role} ${fixed(b.percent)} %`).join(", ")}.`);
    if (busiest[0] && busiest[0].percent >= 85) lines.push(`${busiest[0].role} is near a full core: it is the bottleneck; its work per order (or a second instance of it) is the lever.`);
    if (total >= 0.85 * cores) lines.push("The machine's cores are saturated: fewer cycles per order (fewer round trips, less JSON, fewer processes hopping) is the lever, not more concurrency.");
  }
  const fastest = flow.rates.filter((r) => r.hops.every((h) => Number.isFinite(h.ms.p50))).at(-1);
  if (fastest) {
    const slowest = [...fastest.hops].sort((a, b) => b.ms.p50 - a.ms.p50)[0]!;
    const total = fastest.stages.notified.p50;
    lines.push(`At ${fastest.rate} orders/s the slowest hop is "${slowest.name}" (p50 ${fixed(slowest.ms.p50)} ms of ${fixed(total)} ms from the 202 to the last message): orders queue there first.`);
  }
  if (flow.counters) {
    const o = perOrder(flow.counters);
    lines.push(`Per completed order: ${fixed(o.statements, 1)} SQL statements (round trips), ${fixed(o.commits, 1)} commits, ${fixed(o.redisCommands, 1)} Redis commands, ${fixed(o.kafkaRecords, 1)} Kafka records of ${fixed(o.kafkaBytesPerRecord)} bytes.`);
    // Every write path is batched (POSTs, pushes, charges, sends, the fast path): the round trips
    // left are per batch, so they fall as batches fill, and the CPU left is per request and per event.
    lines.push(
      o.statements > 5
        ? "Every write is batched, so the round trips left are per batch: they fall as the orders in flight grow (fuller POST batches and pushes). At a few orders per batch, each push's fixed cost (HTTP, signature, a transaction) is the lever."
        : "Batches are full: the round trips are a few per order, and what is left is CPU per event in every process (parsing and validating each event, building SQL, JSON): fewer processes hopping, or less work per event, is the next lever.",
    );
  }
  return lines;
}
