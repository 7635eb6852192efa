import { isAppError } from "../errors/index.ts";
import type { Problem } from "./problem.ts";

/**
 * What became of one event of a push (the webhook's answer lists one per event, in order):
 * - `processed`: applied now; `duplicate`: applied before, nothing done;
 * - `retry`: not applied, may succeed later (a failure, a busy claim, or held behind an earlier
 *   event of its order that was not applied);
 * - `rejected`: not applied, never will be as it is (the dispatcher dead-letters it at once).
 */
export type EventOutcome = "processed" | "duplicate" | "retry" | "rejected";

export type EventResult = { id: string; outcome: EventOutcome; problem?: Problem };

/** Answers that a later attempt can change: timeouts, conflicts with work in progress, throttling. */
const transientStatuses = new Set([408, 409, 425, 429]);

/**
 * A handler's failure as an outcome: an AppError that says the request itself is wrong (a 4xx
 * other than the transient ones, not marked retryable) is `rejected`; anything else, an unexpected
 * error included, is `retry` (a database that went away comes back).
 */
export function failureOf(error: unknown): { outcome: "retry" | "rejected"; problem: Problem } {
  if (!isAppError(error)) {
    return { outcome: "retry", problem: { status: 500, title: "Internal Server Error", code: "internal", detail: "unexpected error; see the service log" } };
  }
  const terminal = !error.retryable && error.status >= 400 && error.status < 500 && !transientStatuses.has(error.status);
  const problem: Problem = { status: error.status, title: terminal ? "Rejected" : "Not applied", code: error.code, detail: error.message };
  if (error.issues.length > 0) problem.errors = error.issues;
  return { outcome: terminal ? "rejected" : "retry", problem };
}

/** A later event of an order whose earlier event was not applied: applying it now would reorder the order's story. */
export function heldBehind(id: string): { outcome: "retry"; problem: Problem } {
  return {
    outcome: "retry",
    problem: { status: 409, title: "Held", code: "event.held", detail: `held behind ${id}, an earlier event of the same order that was not applied` },
  };
}

/** One event to apply: its id, the order it belongs to (what orders it), and how to apply it. */
export type Step = { id: string; orderKey: string; apply(): Promise<"processed" | "duplicate"> };

/**
 * Applies the steps in order and gives each its outcome. One event's failure does not stop the
 * others, but the later events of ITS order are held back (outcome `retry`, not attempted): an
 * order's events are applied in their order or not at all, while every other order flows on.
 *
 * With `concurrency` above 1, different orders are applied at the same time (at most that many),
 * each order's events still one after the other: for handlers that wait on the outside world (a
 * gateway, a mail provider) and hold no transaction shared with the others. The results keep the
 * steps' order.
 */
export async function applyInOrder(steps: Step[], onFailure: (step: Step, error: unknown) => void, { concurrency = 1 } = {}): Promise<EventResult[]> {
  const results: EventResult[] = new Array(steps.length);
  const indexes = steps.map((_, index) => index);
  const orders = concurrency > 1 ? [...Map.groupBy(indexes, (index) => steps[index]!.orderKey).values()] : [indexes];
  const blockedBy = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < orders.length) {
      for (const index of orders[next++]!) {
        const step = steps[index]!;
        const blocker = blockedBy.get(step.orderKey);
        if (blocker !== undefined) {
          results[index] = { id: step.id, ...heldBehind(blocker) };
          continue;
        }
        try {
          results[index] = { id: step.id, outcome: await step.apply() };
        } catch (error) {
          onFailure(step, error);
          blockedBy.set(step.orderKey, step.id);
          results[index] = { id: step.id, ...failureOf(error) };
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, orders.length)) }, worker));
  return results;
}
