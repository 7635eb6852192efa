/** How long and how hard each phase runs: `--quick` (CI's smoke test), the full run, and `--soak`. */
export type Plan = {
  name: "quick" | "full";
  closedLoop: { window: number; connections: number; warmupMs: number; measureMs: number; drainMs: number };
  rates: number[];
  rateMs: number;
  rateDrainMs: number;
  /**
   * The accept burst, with the flow running behind; then, on the real engines, `aloneMs` of it with
   * the rest of the flow frozen. At most 10 s: a consumer frozen past its session timeout
   * (20 s) is dropped from its group, and the rebalance after the thaw would be the burst's doing.
   */
  burst: { connections: number; durationMs: number; aloneMs: number };
  soak?: { rate: number; durationMs: number; drainMs: number };
  pgbenchSeconds: number;
  kafkaRecords: number;
  /** ProducerPerformance at a low fixed rate: the latency of one acks=all append when nothing queues. */
  kafkaLatencyProbe: { rate: number; records: number };
  helloMs: number;
  products: number;
  declineEvery: number;
};

export function planFor(options: { quick?: boolean; soak?: boolean; soakMinutes?: number; rates?: number[] }): Plan {
  const quick = Boolean(options.quick);
  const plan: Plan = quick
    ? {
        name: "quick",
        closedLoop: { window: 600, connections: 64, warmupMs: 2_000, measureMs: 6_000, drainMs: 30_000 },
        rates: options.rates ?? [20, 50],
        rateMs: 3_000,
        rateDrainMs: 20_000,
        burst: { connections: 32, durationMs: 2_000, aloneMs: 2_000 },
        pgbenchSeconds: 2,
        kafkaRecords: 20_000,
        kafkaLatencyProbe: { rate: 500, records: 1_000 },
        helloMs: 1_500,
        products: 20,
        declineEvery: 10,
      }
    : {
        name: "full",
        closedLoop: { window: 2_000, connections: 128, warmupMs: 10_000, measureMs: 60_000, drainMs: 120_000 },
        rates: options.rates ?? [20, 50, 200],
        rateMs: 30_000,
        rateDrainMs: 180_000,
        burst: { connections: 64, durationMs: 15_000, aloneMs: 10_000 },
        pgbenchSeconds: 20,
        kafkaRecords: 200_000,
        kafkaLatencyProbe: { rate: 500, records: 5_000 },
        helloMs: 10_000,
        products: 50,
        declineEvery: 10,
      };
  if (options.soak) plan.soak = { rate: 200, durationMs: (options.soakMinutes ?? 10) * 60_000, drainMs: 300_000 };
  return plan;
}

/** Seconds the flow phases of one engine are planned to take (for the progress bar; drains come on top). */
export function plannedFlowSeconds(plan: Plan): number {
  const { closedLoop, rates, rateMs, burst, soak } = plan;
  return (closedLoop.warmupMs + closedLoop.measureMs + rates.length * rateMs + burst.durationMs + burst.aloneMs + (soak?.durationMs ?? 0)) / 1000;
}
