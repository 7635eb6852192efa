import type { ClaimAnswer } from "../idempotency/index.ts";
import { type EventResult, failureOf, heldBehind } from "./event-outcomes.ts";

/** One event of a push as the fast path left it: its dedup key and its order. */
export type PlannedEvent = { id: string; key: string; orderKey: string };

/**
 * What the fast path decides for a batch before a set-based handler sees it, in order, exactly as
 * the event-by-event path would: a key Redis knows as done is a `duplicate`; a key another
 * delivery holds fails (`retry`) and holds back the later events of its order; the rest go to the
 * handler, in their order. A key repeated within the batch goes to the handler too (the database,
 * in the transaction, decides).
 */
export type BatchPlan = {
  /** The outcome of each event the handler will not see; undefined for those it will. */
  decided: Array<EventResult | undefined>;
  /** Indexes of the events for the handler, in order. */
  apply: number[];
  /** Events that failed on the fast path, to report once the plan is taken. */
  failures: Array<{ index: number; error: unknown }>;
};

/** The fast path's answer for each distinct key of a push (IdempotencyStore.claimMany). */
export type FastPathAnswers = ReadonlyMap<string, ClaimAnswer>;

/** What the fast path said of `key`; a key left unanswered counts as held: retried later, never skipped as a duplicate. */
export const fastPathOutcome = (answers: FastPathAnswers, key: string): ClaimAnswer["outcome"] => answers.get(key)?.outcome ?? "held";

export function planBatch(events: PlannedEvent[], answers: FastPathAnswers, inProgress: (key: string) => Error): BatchPlan {
  const firstOf = new Map<string, number>();
  events.forEach(({ key }, i) => firstOf.has(key) || firstOf.set(key, i));
  const blockedBy = new Map<string, string>();
  const plan: BatchPlan = { decided: [], apply: [], failures: [] };
  events.forEach(({ id, key, orderKey }, index) => {
    const blocker = blockedBy.get(orderKey);
    if (blocker !== undefined) return void (plan.decided[index] = { id, ...heldBehind(blocker) });
    const answer = fastPathOutcome(answers, key);
    if (firstOf.get(key) === index && answer === "done") return void (plan.decided[index] = { id, outcome: "duplicate" });
    if (firstOf.get(key) === index && answer === "held") {
      const error = inProgress(key);
      plan.failures.push({ index, error });
      blockedBy.set(orderKey, id);
      return void (plan.decided[index] = { id, ...failureOf(error) });
    }
    plan.decided[index] = undefined;
    plan.apply.push(index);
  });
  return plan;
}
