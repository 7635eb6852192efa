import type { CompletionTracker } from "../measure/completions.ts";
import { perSecond, type Summary, summarize } from "../measure/stats.ts";
import type { OrderClient } from "./client.ts";
import { drain, watchCompletions } from "./watch.ts";

export type ClosedLoopPlan = { window: number; connections: number; warmupMs: number; measureMs: number; drainMs: number };
/** Called when the measured window opens and when it closes (CPU and counters are read then). */
export type WindowHooks = { opened(): Promise<void>; closed(): Promise<void> };
export type ClosedLoopResult = {
  completedPerSecond: number;
  completedInWindow: number;
  accepted: number;
  acceptMs: Summary;
  /** 202 → final message, over the orders completed in the measured window. */
  completionMs: Summary;
  notCompleted: number;
  windowStart: number;
  windowEnd: number;
};

/**
 * Saturation, closed loop: at most `window` orders in flight (accepted, final message not yet
 * sent); a new order is placed only when one completes. Completions are counted from the
 * notifier's record. The rate is taken over `measureMs` once the loop is in its steady state: after
 * `warmupMs`, and after the first `window` orders have completed (a slow flow takes longer to fill
 * its pipeline), but no later than five warm-ups.
 */
export async function runClosedLoop(client: OrderClient, tracker: CompletionTracker, plan: ClosedLoopPlan, hooks: WindowHooks, onTick: (message: string) => void): Promise<ClosedLoopResult> {
  const accepted = new Map<string, number>();
  const completedAt = new Map<string, number>();
  const acceptMs: number[] = [];
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const watcher = watchCompletions(tracker, (orderId, seenAt) => {
    if (!accepted.has(orderId) || completedAt.has(orderId)) return;
    completedAt.set(orderId, seenAt);
    inFlight--;
    for (const wake of waiting.splice(0)) wake();
  });
  const startedAt = Date.now();
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const ticker = setInterval(() => onTick(`${completedAt.size} completed, ${inFlight} in flight${Number.isFinite(windowStart) ? "" : " (warming up)"}`), 500);
  const windowed = (async () => {
    while (Date.now() < startedAt + plan.warmupMs || (completedAt.size < plan.window && Date.now() < startedAt + 5 * plan.warmupMs)) await Bun.sleep(20);
    await hooks.opened();
    windowStart = Date.now();
    windowEnd = windowStart + plan.measureMs;
    await Bun.sleep(plan.measureMs);
    await hooks.closed();
  })();

  async function worker() {
    while (Date.now() < windowEnd) {
      if (inFlight >= plan.window) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 100);
        });
        continue;
      }
      inFlight++;
      const placed = await client.place();
      if (!placed) {
        inFlight--;
        continue;
      }
      accepted.set(placed.orderId, placed.acceptedAt);
      acceptMs.push(placed.acceptedAt - placed.sentAt);
      // The final message may have been seen before the 202 came back.
      if (tracker.has(placed.orderId) && !completedAt.has(placed.orderId)) {
        completedAt.set(placed.orderId, placed.acceptedAt);
        inFlight--;
      }
    }
  }
  await Promise.all([windowed, ...Array.from({ length: plan.connections }, worker)]);
  const notCompleted = await drain(tracker, accepted.keys(), plan.drainMs, (left) => onTick(`draining: ${left} in flight`));
  watcher.stop();
  clearInterval(ticker);
  for (const id of accepted.keys()) if (!completedAt.has(id) && tracker.completed.has(id)) completedAt.set(id, tracker.completed.get(id)!.seenAt);

  const inWindow = [...completedAt].filter(([, at]) => at >= windowStart && at <= windowEnd);
  return {
    completedPerSecond: perSecond(inWindow.length, plan.measureMs),
    completedInWindow: inWindow.length,
    accepted: accepted.size,
    acceptMs: summarize(acceptMs),
    completionMs: summarize(inWindow.map(([id, at]) => at - accepted.get(id)!)),
    notCompleted,
    windowStart,
    windowEnd,
  };
}
