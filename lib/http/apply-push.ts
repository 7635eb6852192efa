import { AppError } from "../errors/index.ts";
import type { Db } from "../db/index.ts";
import type { EventOf, EventType } from "../events/index.ts";
import type { ClaimToken, IdempotencyStore } from "../idempotency/index.ts";
import type { AcceptedEvent } from "./accept-event.ts";
import { type FastPathAnswers, fastPathOutcome, planBatch } from "./batch-plan.ts";
import { applyInOrder, type EventResult, type Step } from "./event-outcomes.ts";

export type Outcome = "processed" | "duplicate";

/**
 * A service's set-based handler of a whole push (WebhookOptions.applyBatch). It gets the events
 * the fast path lets through, in log order, and returns one outcome per event, as applying them
 * one by one would. With the webhook's `db`, `tx` is the push's transaction (nothing else has
 * written in it); without, the handler opens its own transactions. To have the events applied
 * one by one instead, it throws: with `tx` the whole transaction is rolled back and the events go
 * one by one in a new one; without, it must leave what it did so that the one-by-one path
 * finishes it (e.g. a claim released, never half a send).
 * It returns undefined, before doing anything, for a push it leaves to the one-by-one path by
 * design (not a failure: nothing is logged).
 */
export type BatchApply = (events: EventOf<EventType>[], tx?: Db) => Promise<Outcome[] | undefined>;

export type PushSettings = {
  service: string;
  idempotency: IdempotencyStore;
  claimTtlMs: number;
  doneTtlMs: number;
  db?: Db;
  applyBatch?: BatchApply;
  keyOf(accepted: AcceptedEvent): string;
};

export type PushReport = {
  /** An event not applied, with why (logged by the caller; a single event's is the answer). */
  failure(step: { id: string }, error: unknown): void;
  /** The set-based handler gave up on the push; it went event by event. */
  fallback(error: unknown, events: number): void;
};

/**
 * Orders applied at once where there is no push transaction (handlers that wait on a gateway or a
 * provider, each in its own transaction): a push of a hundred charges then takes a few gateway
 * round trips, not a hundred. Bounded, to stay within the database pool and the outside service's limits.
 */
const eachConcurrency = 8;

const orderKeyOf = (event: EventOf<EventType>) => event.data.orderId;

/**
 * The set-based handler failed inside the push's transaction: that transaction is rolled back (a
 * failed statement leaves it unusable anyway), and the events go one by one in a new one. Cheaper
 * than a savepoint around every batch, two statements a push, for a path that is rare.
 */
class BatchGaveUp extends Error {}

const inProgress = (key: string) => new AppError("event.in_progress", `${key} is being processed by another delivery`, { status: 503, retryable: true });

/**
 * Applies a push, each event answered on its own (event-outcomes.ts). The fast path is asked for
 * the whole push at once, first (one `claimMany`: one Redis round trip, and none while a
 * transaction holds a connection): a key it knows as done is a duplicate, a key another delivery
 * holds is retried later. Then the service's set-based handler (`applyBatch`) gets the rest at
 * once; without one, or if it gives up, each event goes to its own handler, in order. With `db`
 * all of it is ONE transaction, each event of the one-by-one path in a savepoint (a set-based
 * handler that gives up rolls back the first, and the events go one by one in a second); without, different orders run
 * concurrently, each order's events in order. The fast path is told "done" only after the commit,
 * in one `settleMany` that also releases the rest: marking before it would let a rolled-back event
 * pass for a duplicate. A failed commit undoes the whole push, and the request fails as a whole.
 */
export async function applyPush(settings: PushSettings, accepted: AcceptedEvent[], report: PushReport): Promise<EventResult[]> {
  const { idempotency, claimTtlMs, doneTtlMs, db } = settings;
  const keys = accepted.map((a) => settings.keyOf(a));
  const firstOf = new Map<string, number>();
  keys.forEach((key, i) => firstOf.has(key) || firstOf.set(key, i));
  const distinct = [...firstOf.keys()];
  const answers: FastPathAnswers = await idempotency.claimMany(distinct, claimTtlMs);
  /** The claims this push holds, by key: what it settles at the end. */
  const claims = new Map<string, ClaimToken>();
  for (const [key, answer] of answers) if (answer.outcome === "claimed") claims.set(key, answer.token);
  const applied = new Set<string>();

  const oneByOne = (tx: Db | undefined) => {
    const apply = async ({ event, spec }: AcceptedEvent, index: number): Promise<Outcome> => {
      const key = keys[index]!;
      const handle = () => (tx ? tx.transaction((savepoint) => spec.handle(event, savepoint)) : spec.handle(event));
      // The same key again in this push: the database decides.
      if (firstOf.get(key) !== index) return handle();
      const answer = fastPathOutcome(answers, key);
      if (answer === "done") return "duplicate";
      if (answer === "held") throw inProgress(key);
      const outcome = await handle();
      applied.add(key);
      return outcome;
    };
    const steps = accepted.map((a, index): Step => ({ id: a.event.id, orderKey: orderKeyOf(a.event), apply: () => apply(a, index) }));
    return applyInOrder(steps, report.failure, { concurrency: tx ? 1 : eachConcurrency });
  };

  /** The set-based path; undefined when the handler gave up (then `oneByOne`). */
  const asBatch = async (applyBatch: BatchApply, tx: Db | undefined): Promise<EventResult[] | undefined> => {
    const planned = accepted.map(({ event }, i) => ({ id: event.id, key: keys[i]!, orderKey: orderKeyOf(event) }));
    const plan = planBatch(planned, answers, inProgress);
    const events = plan.apply.map((i) => accepted[i]!.event);
    let outcomes: Outcome[] | undefined;
    try {
      outcomes = events.length === 0 ? [] : await applyBatch(events, tx);
    } catch (error) {
      report.fallback(error, events.length);
      if (tx) throw new BatchGaveUp();
      return undefined;
    }
    if (!outcomes) return undefined;
    for (const { index, error } of plan.failures) report.failure(planned[index]!, error);
    plan.apply.forEach((index, i) => {
      plan.decided[index] = { id: planned[index]!.id, outcome: outcomes[i]! };
      if (claims.has(keys[index]!)) applied.add(keys[index]!);
    });
    return plan.decided as EventResult[];
  };

  const run = async (tx: Db | undefined) => (settings.applyBatch && (await asBatch(settings.applyBatch, tx))) || oneByOne(tx);
  /** Every claim this push holds: done when `isDone` says so, released otherwise. */
  const settle = (isDone: (key: string) => boolean) =>
    idempotency.settleMany(
      [...claims].map(([key, token]) => ({ key, token, done: isDone(key) })),
      doneTtlMs,
    );
  try {
    const results = db
      ? await db.transaction((tx) => run(tx)).catch((error: unknown) => {
          if (error instanceof BatchGaveUp) return db.transaction((tx) => oneByOne(tx));
          throw error;
        })
      : await run(undefined);
    await settle((key) => applied.has(key));
    return results;
  } catch (error) {
    await settle(() => false);
    throw error;
  }
}

