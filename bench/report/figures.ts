import { subscriptions } from "../../apps/roster.ts";
import { stages } from "../measure/stages.ts";
import type { Summary } from "../measure/stats.ts";
import type { Limits } from "../run-limits.ts";
import type { FlowResult } from "../run-flow.ts";
import { stageFloorMs } from "./floors.ts";

/** One measured figure beside the limit it is judged against: ratio = value / limit. */
export type Figure = { engine: string; name: string; value: number; unit: string; limitName: string; limit: number; ratio: number };

const percentiles = ["p50", "p95", "p99", "max"] as const;

export const engineLabel = (flow: FlowResult) => (flow.name === "embedded" ? "embedded" : "Kafka + PostgreSQL + Redis");

function figure(engine: string, name: string, value: number, unit: string, limitName: string, limit: number): Figure {
  return { engine, name, value, unit, limitName, limit, ratio: limit > 0 ? value / limit : Number.NaN };
}

/** Every figure of one flow, each as a ratio to its limit measured in the same run. */
export function figuresOf(flow: FlowResult, limits: Limits): Figure[] {
  const engine = engineLabel(flow);
  const { order, handler, handlerOneClient } = limits.pgbench;
  const orderTx = `pgbench, order transaction (${limits.pgbench.clients} clients)`;
  const floor = (stage: (typeof stages)[number]) => stageFloorMs(stage, limits.kafka.producerAtLowRate.p50Ms, handlerOneClient.latencyMs.p50);
  const figures: Figure[] = [
    figure(engine, "completed orders/s (closed loop)", flow.closedLoop.completedPerSecond, "/s", orderTx, order.tps),
    figure(engine, "closed loop: 202 to final message p50", flow.closedLoop.completionMs.p50, "ms", "floor of the notified path", floor("notified")),
    figure(engine, "closed loop: 202 to final message p99", flow.closedLoop.completionMs.p99, "ms", "floor of the notified path", floor("notified")),
    figure(engine, "accepted orders/s (burst)", flow.burst.perSecond, "/s", orderTx, order.tps),
    figure(engine, "accepted orders/s (burst)", flow.burst.perSecond, "/s", "Bun.serve hello-world, same client", limits.hello.perSecond),
    figure(engine, "POST /orders p50 (burst)", flow.burst.latencyMs.p50, "ms", `${orderTx} p50`, order.latencyMs.p50),
    figure(engine, "POST /orders p99 (burst)", flow.burst.latencyMs.p99, "ms", `${orderTx} p99`, order.latencyMs.p99),
  ];
  const alone = flow.burstAlone;
  if (alone) {
    figures.push(
      figure(engine, "accepted orders/s (burst, the order API alone)", alone.perSecond, "/s", orderTx, order.tps),
      figure(engine, "POST /orders p50 (burst, the order API alone)", alone.latencyMs.p50, "ms", `${orderTx} p50`, order.latencyMs.p50),
      figure(engine, "POST /orders p99 (burst, the order API alone)", alone.latencyMs.p99, "ms", `${orderTx} p99`, order.latencyMs.p99),
    );
  }
  for (const rate of flow.rates) {
    for (const stage of stages) {
      for (const p of percentiles) {
        figures.push(figure(engine, `${rate.rate}/s: 202 → ${stage} ${p}`, (rate.stages[stage] as Summary)[p], "ms", `floor of the ${stage} path`, floor(stage)));
      }
    }
  }
  const counters = flow.counters;
  if (counters) {
    const seconds = counters.seconds;
    const commits = (counters.after.database.xact_commit ?? 0) - (counters.before.database.xact_commit ?? 0);
    figures.push(figure(engine, "PostgreSQL commits/s (saturation)", commits / seconds, "/s", `pgbench, handler transaction (${limits.pgbench.clients} clients)`, handler.tps));
    const records = counters.after.kafka.records - counters.before.kafka.records;
    figures.push(figure(engine, "Kafka records written/s (saturation)", records / seconds, "/s", "kafka-producer-perf-test, acks=all, same record size", limits.kafka.producer.recordsPerSecond));
    // Each subscription is its own consumer group: a record is read once per subscription of its topic.
    const read = subscriptions.reduce((sum, s) => sum + s.topics.reduce((n, t) => n + (counters.after.kafka.perTopic[t] ?? 0) - (counters.before.kafka.perTopic[t] ?? 0), 0), 0);
    figures.push(figure(engine, "Kafka records read/s, all groups (saturation)", read / seconds, "/s", "kafka-consumer-perf-test, same topic", limits.kafka.consumer.recordsPerSecond));
  }
  const saturation = flow.cpu.find((c) => c.phase === "saturation");
  if (saturation) {
    const total = Object.entries(saturation.cpuSeconds).filter(([name]) => !name.includes("shared")).reduce((sum, [, s]) => sum + s, 0);
    figures.push(figure(engine, "CPU of the run's processes (saturation)", (100 * total) / saturation.seconds, "% of a core", "the machine's cores", 100 * navigator.hardwareConcurrency));
  }
  return figures;
}

/** Value with its unit, rounded for reading. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === "/s" ? "/s" : ` ${unit}`}`;
}

/** A ratio with two significant digits at least, so that 0.004× does not read as 0.00×. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "n/a";
  if (ratio >= 10) return `${ratio.toFixed(0)}×`;
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}
