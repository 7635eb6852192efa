import type { Cluster } from "./cluster.ts";
import type { Counts } from "./state-probe.ts";

export type Quiescence = { settled: boolean; atRest: boolean; waitedMs: number; counts: Counts; lag: number };

/**
 * Waits, up to `timeoutMs`, until the flow is at rest and settled:
 * - at rest: every dispatcher group at the end of every partition, every outbox drained, and the
 *   topics' end offsets unchanged across that check (nothing was published meanwhile);
 * - settled: at rest with every accepted order shipped, cancelled or needs_attention.
 * A flow at rest with orders still open (an event dead-lettered, say) cannot move by itself any
 * more; after `stuckMs` of that it is handed to the auditor as it is, which reports those orders.
 * Unless payments still wait on the gateway: payment's reconciler takes those up on a timer, so
 * the wait goes on (up to `timeoutMs`) while there are any.
 * Nothing here is a fixed sleep: each step waits on a condition with a deadline.
 */
export async function quiesce(cluster: Cluster, { timeoutMs = 300_000, stuckMs = 15_000, intervalMs = 250 } = {}): Promise<Quiescence> {
  const startedAt = Date.now();
  let restingSince: number | undefined;
  let counts = await cluster.state.counts();
  let lag = -1;
  for (;;) {
    const atRest = await isAtRest(cluster).catch(() => undefined);
    counts = await cluster.state.counts().catch(() => counts);
    lag = atRest?.lag ?? -1;
    if (atRest?.resting && counts.unpublished === 0) {
      if (counts.open === 0) return { settled: true, atRest: true, waitedMs: Date.now() - startedAt, counts, lag };
      restingSince ??= Date.now();
      if (counts.pendingPayments === 0 && Date.now() - restingSince >= stuckMs) return { settled: false, atRest: true, waitedMs: Date.now() - startedAt, counts, lag };
    } else {
      restingSince = undefined;
    }
    if (Date.now() - startedAt > timeoutMs) return { settled: false, atRest: false, waitedMs: Date.now() - startedAt, counts, lag };
    await Bun.sleep(intervalMs);
  }
}

async function isAtRest(cluster: Cluster): Promise<{ resting: boolean; lag: number }> {
  const before = await cluster.lag.lag();
  if (before.total !== 0) return { resting: false, lag: before.total };
  const { unpublished } = await cluster.state.counts();
  const after = await cluster.lag.lag();
  return { resting: unpublished === 0 && after.total === 0 && after.endOffsets === before.endOffsets, lag: after.total };
}
