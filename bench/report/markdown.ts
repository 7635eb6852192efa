import { memorySampleIntervalMs } from "../measure/processes.ts";
import { type ProfileShare, profileIntervalUs } from "../measure/profiles.ts";
import { type Stage, stages } from "../measure/stages.ts";
import type { FlowResult } from "../run-flow.ts";
import { cpuPerOrderTable, cpuTable, perOrder } from "./breakdown.ts";
import { stageFloorMs } from "./floors.ts";
import { engineLabel, type Figure, figuresOf, formatRatio, formatValue } from "./figures.ts";
import { settingsRows } from "./settings.ts";
import { fellBehind, nextLever, soakGrowth, targets } from "./targets.ts";
import type { BenchReport } from "./types.ts";

const table = (head: string[], rows: string[][]) => [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const n = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const mark = (met: boolean | undefined) => (met === undefined ? "—" : met ? "met" : "**missed**");

function figuresTable(figures: Figure[]): string {
  return table(["figure", "value", "limit", "ratio"], figures.map((f) => [f.name, formatValue(f.value, f.unit), `${f.limitName}: ${formatValue(f.limit, f.unit)}`, formatRatio(f.ratio)]));
}

function stagesTable(flow: FlowResult, floorOf: (stage: Stage) => number): string {
  const rows = flow.rates.flatMap((rate) =>
    stages.map((stage) => {
      const s = rate.stages[stage];
      return [`${rate.rate}/s (sent ${n(rate.sentPerSecond)}/s, ${rate.orders} orders, ${rate.notCompleted} not completed)`, stage, n(s.p50), n(s.p95), n(s.p99), n(s.max), `${n(floorOf(stage))} ms`, formatRatio(s.p50 / floorOf(stage))];
    }),
  );
  return table(["arrival rate", "202 →", "p50 ms", "p95 ms", "p99 ms", "max ms", "floor", "p50 / floor"], rows);
}

function hopsTable(flow: FlowResult): string {
  return [
    "Hop by hop, p50 / p99 in ms (each relay's publish from the outbox's published_at; each delivery to the effect it made; a relay can publish before the 202 reaches the client, hence a first hop just below 0):",
    "",
    table(["hop", ...flow.rates.map((r) => `${r.rate}/s`)], (flow.rates[0]?.hops ?? []).map((hop, i) => [hop.name, ...flow.rates.map((r) => `${n(r.hops[i]!.ms.p50, 0)} / ${n(r.hops[i]!.ms.p99, 0)}`)])),
  ].join("\n");
}

function timeSection(flow: FlowResult): string {
  const cpu = cpuTable(flow);
  const parts = [
    `CPU per process, % of one core (the machine has ${navigator.hardwareConcurrency} cores; saturation is the closed loop's measured window, the others include their drain):`,
    "",
    table(["process", ...cpu.phases, "peak memory MiB (PSS)"], cpu.rows.map((r) => [r.role, ...r.percent.map((p) => n(p, 0)), n(flow.peakMemoryMiB[r.role] ?? Number.NaN, 0)])),
  ];
  const perOrderCpu = cpuPerOrderTable(flow);
  if (perOrderCpu.phases.length > 0) {
    parts.push(
      "",
      "CPU per completed order, ms (the phase's CPU, idle time and drain included, over the orders it completed; the load generator's is the bench's own):",
      "",
      table(["process", ...perOrderCpu.phases], perOrderCpu.rows.map((r) => [r.role, ...r.ms.map((ms) => n(ms, 1))])),
    );
  }
  if (flow.counters) {
    const o = perOrder(flow.counters);
    parts.push(
      "",
      `Round trips per completed order (saturation window, ${o.completed} orders; pg_stat_statements and pg_stat_database of the run's database, Redis INFO commandstats, Kafka end offsets):`,
      "",
      table(["counter", "per order"], [
        ["SQL statements (each a round trip)", n(o.statements)],
        ["commits / rollbacks", `${n(o.commits)} / ${n(o.rollbacks)}`],
        // INFO commandstats counts the commands a script runs too: the round trips are the evals (and any other command sent).
        ["Redis commands (the server's count: those run inside a script included; each eval is one round trip)", `${n(o.redisCommands)} (${o.topRedis.map((r) => `${r.command} ${n(r.perOrder)}`).join(", ")})`],
        ["Kafka records written", `${n(o.kafkaRecords)} of ${n(o.kafkaBytesPerRecord, 0)} bytes`],
      ]),
      "",
      "The most frequent statements:",
      "",
      table(["statement", "per order", "mean ms"], o.topStatements.map((s) => [`\`${s.query.replaceAll("|", "\\|")}\``, n(s.perOrder, 2), n(s.meanMs, 3)])),
    );
  }
  parts.push("", ...nextLever(flow).map((line) => `- ${line}`));
  const profiled = Object.entries(flow.profiles).filter(([, p]) => p.samples > 0);
  if (profiled.length > 0) {
    const shares = (list: ProfileShare[]) => list.map((s) => `${s.name} ${n(100 * s.share, 0)} %`).join(", ");
    parts.push(
      "",
      `Inside each Bun process, over the whole run (Bun's sampling profiler, one sample every ${profileIntervalUs / 1000} ms of the JS thread's wall-clock time while it is busy; a sample counts for the nearest file up its stack, so a library's socket writes, JSON and array work are the library's). These are shares of busy time, not of CPU: a call blocked in the kernel (a disk sync, counted apart) or code the scheduler took the core from on a full machine gets samples as if it ran; /proc's CPU per process above is the CPU.`,
      "",
      table(["process", "samples", "where its busy time went", "functions it was in"], profiled.map(([name, p]) => [name, String(p.samples), shares(p.parts.slice(0, 6)), shares(p.functions.slice(0, 5))])),
    );
  }
  return parts.join("\n");
}

/** docs/performance.md: the figures of one run, each beside its limit, and where the time goes. */
export function renderMarkdown(report: BenchReport, charts: string[]): string {
  const { limits, flows } = report;
  const floorOf = (stage: Stage) => (limits ? stageFloorMs(stage, limits.kafka.producerAtLowRate.p50Ms, limits.pgbench.handlerOneClient.latencyMs.p50) : Number.NaN);
  const quick = report.plan.name === "quick";
  const out = [
    "# Performance",
    "",
    `Generated by \`${report.command}\` on ${report.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC (${Math.round((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000)} s), ${report.cores} cores, load average ${report.loadAverage.before.map((l) => l.toFixed(2)).join(" ")} before and ${report.loadAverage.after.map((l) => l.toFixed(2)).join(" ")} after. Do not edit: run it again.`,
    ...(quick ? ["", "**A `--quick` run** (CI's smoke test): phases of a few seconds, so the figures are rough. `bun run bench` gives the full ones."] : []),
    ...(report.loadAverage.before[0]! > 1.5 ? ["", `**The machine was busy** (load average ${report.loadAverage.before[0]!.toFixed(2)} when the run started): other work took CPU from the flow and from the limits alike.`] : []),
    "",
    "## How it is measured",
    "",
    `- **Completed orders/s**, closed loop: at most ${report.plan.closedLoop.window} orders in flight; a new one is placed when one completes. An order is complete when the notifier has sent its final message (\`shipment.created\` or \`order.cancelled\`): the bench counts those lines in the recording notifier's \`notifications.jsonl\` (duplicates excluded), never a log line. Rate over the measured window after a warm-up. The flow writes what accumulates while its last round trip ran in one batch (POSTs, pushes, charges, sends), so it settles more orders/s the more are in flight, up to its ceiling: the window is large enough to reach it, and the closed loop's own 202 → final message latency shows what waiting in it costs.`,
    "- **Accepted orders/s**: clients sending `POST /orders` back to back, twice: with the flow running behind them, competing for the same cores; then on the real engines with every process of the flow but an order service frozen by SIGSTOP, the order API alone as on cores of its own (PostgreSQL, Redis and Kafka run on; the orders wait in the outbox and flow on after the thaw): one process per service, the flow's own order service; whole-flow workers, an order service process of its own (`bun run start order`) on the same database, warmed up by one unmeasured burst first. p50/p99 of the time to the 202.",
    "- **Stage latencies**, open loop at fixed arrival rates: for each order, the time from the 202 (load generator's clock) to the effect in the service that made it, read from the database after the run: `payments.updated_at` of the completed payment (paid), `inventory.reservations.created_at` (reserved), `shipping.shipments.created_at` (shipped), `notifications.sent_at` of the shipment's message (notified). One machine, one clock. Orders that went all the way only (declined ones stop at payment).",
    "- **Limits**, the same run, after the flow has stopped: `pgbench` with scripts equal to the order API's transaction and to shipping's handler transaction (bench/limits/transactions.ts; prepared statements, as many clients as a process's pool), Kafka's own `ProducerPerformance` / `ConsumerPerformance` from the broker's version (acks=all, the flow's bytes per record), and a `Bun.serve` hello-world under the same HTTP load. A stage's **floor** is its Kafka appends × the producer's p50 at a low rate plus its durable writes × one handler transaction's p50 at one client (bench/report/floors.ts): the least the engines allow when nothing queues.",
    `- **CPU** from /proc per process (PostgreSQL: the run's own server, all its processes), as % of a core and per completed order (the phase's CPU over the orders it completed, in the phases that wait for theirs: saturation's window, each fixed rate and the soak, their drain included), **memory** its proportional set size (PSS, /proc/<pid>/smaps_rollup) sampled every ${memorySampleIntervalMs / 1000} s and at the start and end of each phase (reading it more often took a tenth of a core from the flow): shared pages count once across processes, so PostgreSQL's backends add up to what they use.`,
    `- **Profiles**: unless \`--no-profile\`, Bun's sampling profiler runs in the flow's Bun processes, one sample every ${profileIntervalUs / 1000} ms, written when they stop. Its cost, measured on this machine: within the noise for one service (a one-event push 3.5–3.7 ms of CPU profiled, 3.5–4.0 ms not); the embedded flow in \`--quick\` runs, 83–100 completed orders/s profiled against 99–114 not.`,
    "",
    "## Targets",
    "",
    table(["target", "measured", ""], targets(flows, limits).map((t) => [t.target, t.measured, mark(t.met)])),
  ];
  for (const flow of flows) {
    out.push("", `## ${engineLabel(flow)}`, "", flow.engines, "");
    if (limits) out.push(figuresTable(figuresOf(flow, limits).filter((f) => !f.name.includes("202 →"))), "");
    out.push("### Stage latencies", "", stagesTable(flow, floorOf), "", "### Where the time goes", "", hopsTable(flow), "", timeSection(flow));
    if (flow.soak) {
      const behind = fellBehind(flow.soak);
      out.push("", "### Soak", "", `${flow.soak.rate} orders/s for ${n((flow.soak.endedAt - flow.soak.startedAt) / 60_000)} min (sent at ${n(flow.soak.sentPerSecond)}/s, ${flow.soak.notCompleted} not completed${behind ? `; ${behind}` : ""}).`, "", table(["process", "memory first minute MiB (PSS)", "memory last minute MiB (PSS)", "growth"], soakGrowth(flow).map((g) => [g.role, n(g.fromMiB, 0), n(g.toMiB, 0), `${n(g.percent)} %${g.role in flow.growsByDesign ? ` (grows with ${flow.growsByDesign[g.role]}; not judged)` : ""}`])));
    }
  }
  out.push("", "## Latency per stage", "", ...charts.map((c) => `![${c}](${c})`));
  if (limits) {
    const { pgbench, kafka, hello } = limits;
    out.push(
      "",
      "## Limits (the engines' own tools, same run)",
      "",
      table(["tool", "throughput", "p50 ms", "p99 ms"], [
        [`pgbench, order transaction, ${pgbench.clients} clients`, `${n(pgbench.order.tps, 0)} tps`, n(pgbench.order.latencyMs.p50, 2), n(pgbench.order.latencyMs.p99, 2)],
        [`pgbench, handler transaction, ${pgbench.clients} clients`, `${n(pgbench.handler.tps, 0)} tps`, n(pgbench.handler.latencyMs.p50, 2), n(pgbench.handler.latencyMs.p99, 2)],
        ["pgbench, handler transaction, 1 client", `${n(pgbench.handlerOneClient.tps, 0)} tps`, n(pgbench.handlerOneClient.latencyMs.p50, 2), n(pgbench.handlerOneClient.latencyMs.p99, 2)],
        [`kafka-producer-perf-test, ${kafka.recordSize} B, ${kafka.partitions} partitions`, `${n(kafka.producer.recordsPerSecond, 0)} records/s (${n(kafka.producer.mbPerSecond, 2)} MB/s)`, n(kafka.producer.p50Ms, 0), n(kafka.producer.p99Ms, 0)],
        [`kafka-producer-perf-test at ${report.plan.kafkaLatencyProbe.rate} records/s`, `${n(kafka.producerAtLowRate.recordsPerSecond, 0)} records/s`, n(kafka.producerAtLowRate.p50Ms, 0), n(kafka.producerAtLowRate.p99Ms, 0)],
        ["kafka-consumer-perf-test", `${n(kafka.consumer.recordsPerSecond, 0)} records/s (${n(kafka.consumer.mbPerSecond, 2)} MB/s)`, "", ""],
        [`Bun.serve hello-world, ${report.plan.burst.connections} clients`, `${n(hello.perSecond, 0)} requests/s`, n(hello.latencyMs.p50, 2), n(hello.latencyMs.p99, 2)],
      ]),
    );
  }
  out.push("", "## Settings", "", table(["setting", "value"], settingsRows(report).map(([k, v]) => [k, v])), "");
  return out.join("\n");
}
