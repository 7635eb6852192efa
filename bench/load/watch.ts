import type { CompletionTracker } from "../measure/completions.ts";

/**
 * Polls the completion tracker every `intervalMs` while a phase runs and tells `onComplete` of each
 * order that completed. One poller at a time; stop() ends it.
 */
export function watchCompletions(tracker: CompletionTracker, onComplete: (orderId: string, seenAt: number) => void, intervalMs = 20) {
  const timer = setInterval(() => {
    for (const done of tracker.poll()) onComplete(done.orderId, done.seenAt);
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

/**
 * Waits until every order of `accepted` has completed, or `timeoutMs` has passed: a flow that
 * falls behind is slow, not broken, so the phase ends with what did not complete counted.
 */
export async function drain(tracker: CompletionTracker, accepted: Iterable<string>, timeoutMs: number, onWait?: (left: number) => void): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let left = [...accepted].filter((id) => !tracker.has(id));
  while (left.length > 0 && Date.now() < deadline) {
    onWait?.(left.length);
    await Bun.sleep(50);
    tracker.poll();
    left = left.filter((id) => !tracker.has(id));
  }
  return left.length;
}
