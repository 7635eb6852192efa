import type { CompletionTracker } from "../measure/completions.ts";
import { perSecond, type Summary, summarize } from "../measure/stats.ts";
import type { OrderClient, Placed } from "./client.ts";
import { drain } from "./watch.ts";

export type OpenLoopPlan = { rate: number; durationMs: number; drainMs: number };
export type OpenLoopResult = {
  rate: number;
  sentPerSecond: number;
  placed: Placed[];
  acceptMs: Summary;
  notCompleted: number;
  /** Orders placed but not complete when the last was sent: a flow that keeps up holds about rate × latency. */
  inFlightAtEnd: number;
  startedAt: number;
  endedAt: number;
};

/**
 * A fixed arrival rate, open loop: order i is sent at start + i / rate whatever happened to the
 * ones before (customers do not wait for each other), so a flow that falls behind shows it in its
 * latencies instead of slowing the load down. Then waits for the phase's orders to complete.
 */
export async function runOpenLoop(client: OrderClient, tracker: CompletionTracker, plan: OpenLoopPlan, onTick: (message: string) => void): Promise<OpenLoopResult> {
  const total = Math.max(1, Math.round((plan.rate * plan.durationMs) / 1000));
  const placed: Placed[] = [];
  const requests: Array<Promise<void>> = [];
  const startedAt = Date.now();
  let lastSentAt = startedAt;
  for (let i = 0; i < total; i++) {
    const due = startedAt + (i * 1000) / plan.rate;
    if (due > Date.now()) await Bun.sleep(due - Date.now());
    requests.push(client.place().then((p) => void (p && placed.push(p))));
    lastSentAt = Date.now();
    if (i % Math.max(1, Math.round(plan.rate / 2)) === 0) {
      tracker.poll();
      onTick(`${plan.rate}/s: ${i + 1}/${total} sent, ${placed.filter((p) => tracker.has(p.orderId)).length} completed`);
    }
  }
  await Promise.all(requests);
  const endedAt = Date.now();
  tracker.poll();
  const inFlightAtEnd = placed.filter((p) => !tracker.has(p.orderId)).length;
  const notCompleted = await drain(tracker, placed.map((p) => p.orderId), plan.drainMs, (left) => onTick(`${plan.rate}/s: draining, ${left} in flight`));
  return {
    rate: plan.rate,
    // The rate the requests went out at: below `rate` when the load generator itself fell behind.
    sentPerSecond: total > 1 ? perSecond(total - 1, lastSentAt - startedAt) : total,
    placed,
    acceptMs: summarize(placed.map((p) => p.acceptedAt - p.sentAt)),
    notCompleted,
    inFlightAtEnd,
    startedAt,
    endedAt,
  };
}
