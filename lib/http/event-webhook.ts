import { Hono } from "hono";
import { readCloudEvents } from "../cloudevents/index.ts";
import { AppError } from "../errors/index.ts";
import type { EventOf, EventType } from "../events/index.ts";
import type { Db } from "../db/index.ts";
import type { ClaimToken, IdempotencyStore } from "../idempotency/index.ts";
import type { WebhookVerifier } from "../security/index.ts";
import { acceptEvent, type AcceptedEvent } from "./accept-event.ts";
import { planBatch } from "./batch-plan.ts";
import { applyInOrder, type EventResult, type Step } from "./event-outcomes.ts";
import { logBatchFallback, logFailure, noteHandling } from "./problem.ts";
import { assertPushSize, verifiedPush } from "./signed-push.ts";

export type Outcome = "processed" | "duplicate";

export type EventHandlerSpec<T extends EventType> = {
  /**
   * Applies one event. With the webhook's `db` option, `db` is the transaction of the whole
   * request, and the handler runs in a savepoint of it: its failure undoes its own work only.
   */
  handle(event: EventOf<T>, db?: Db): Promise<Outcome>;
  /** The fast-path key (docs/architecture.md#idempotency); default `defaultDedupKey`. */
  dedupKey?(event: EventOf<T>): string;
};

/** Exactly one handler per subscribed type: a missing or an extra one does not compile. */
export type EventHandlers<S extends readonly EventType[]> = { [T in S[number]]: EventHandlerSpec<T> };

/** The same handler for every subscribed type (a service that follows the whole flow). */
export function oneHandlerFor<const S extends readonly EventType[]>(types: S, spec: EventHandlerSpec<S[number]>): EventHandlers<S> {
  // Sound: a handler of the union handles each member of it.
  return Object.fromEntries(types.map((type) => [type, spec])) as unknown as EventHandlers<S>;
}

export type WebhookOptions<S extends readonly EventType[]> = {
  service: string;
  /** The event types this service subscribes to (its roster entry); the dispatcher pushes only these. */
  subscribes: S;
  handlers: EventHandlers<S>;
  idempotency: IdempotencyStore;
  /** Every push is signed (docs/architecture.md#trust-boundaries): unsigned, forged or stale → 401. */
  verify: WebhookVerifier;
  /**
   * How long a claim holds off a concurrent duplicate; a crashed holder's claim expires after it.
   * Keep it above the dispatcher's delivery timeout (DISPATCH_TIMEOUT_MS, default 10 s).
   */
  claimTtlMs?: number;
  doneTtlMs?: number;
  /**
   * For services whose effects are all in the database: a batch is applied in ONE transaction
   * (docs/architecture.md#delivery-path), each event in a savepoint of it, and committed once.
   * Leave it out where a handler calls the outside world (a gateway, a provider): those apply
   * each event on its own.
   */
  db?: Db;
  /**
   * With `db`: the service's set-based handler of a whole batch (constant round trips, however
   * many events), tried first. It gets the events the fast path lets through, in order, and the
   * batch's transaction, and returns one outcome per event, as applying them one by one with
   * `handlers` would; it throws to have them applied one by one instead (a constraint, a rejection
   * it does not decide itself).
   */
  applyBatch?: BatchApply;
};

/** See WebhookOptions.applyBatch. */
export type BatchApply = (events: EventOf<EventType>[], tx: Db) => Promise<Outcome[]>;

/**
 * Standard Webhooks signs the body only: in binary mode the attributes (type, source, id) travel
 * in `ce-` headers that anyone on the path could change under a valid signature. So our webhooks
 * take structured and batch mode only, whose attributes are in the body; the dispatcher pushes
 * batches to them (binary mode is for external receivers configured for it).
 */
/**
 * Orders applied at once by a webhook without `db` (its handlers wait on a gateway or a provider,
 * each in its own transaction): a pushed batch of a hundred charges then takes a few gateway round
 * trips, not a hundred. Bounded, to stay within the database pool and the outside service's limits.
 */
const eachConcurrency = 8;

const refuseBinary = "binary mode is not accepted on signed pushes: its ce- headers are outside the signature";

/**
 * `POST /events/{service}`: structured or batch CloudEvents (lib/cloudevents/http.ts), signed
 * (401 before the body is read otherwise); binary mode is 415 (see `refuseBinary`). Every event of
 * the request is validated before any is applied, so a bad request changes nothing: 400 malformed
 * CloudEvent, 413 more than `maxEventsPerPush`, 415 unusable content type, 422 a type this service
 * does not handle, a `source` other than its producer's, or `data` that fails its schema.
 *
 * Then each event runs through the fast path (SET NX claim) to its handler, whose database
 * transaction is the truth, and gets its own outcome (event-outcomes.ts): one event's failure
 * undoes nothing of the others, and holds back only the later events of its own order. A batch
 * is answered 200 with every event's outcome; a single structured event is answered as before,
 * 200 with its outcome or the problem that stopped it.
 */
export function eventWebhook<const S extends readonly EventType[]>(options: WebhookOptions<S>): Hono {
  // The default claim outlives the dispatcher's delivery timeout (10 s) threefold: while the
  // dispatcher may still be waiting on this delivery, its claim must not lapse, or the retry sent
  // after the timeout would win a fresh claim and run the handler alongside it.
  const { service, subscribes, idempotency, claimTtlMs = 30_000, doneTtlMs = 24 * 3_600_000 } = options;
  const handlers = options.handlers as Partial<Record<EventType, EventHandlerSpec<EventType>>>;
  assertExactly(service, subscribes, handlers);
  const app = new Hono();

  app.post(`/events/${service}`, async (c) => {
    const { events, mode } = await readCloudEvents(await verifiedPush(c.req.raw, options.verify), { refuseBinary });
    assertPushSize(events.length);
    const accepted = events.map((event, index) => acceptEvent({ service, subscribes, handlers }, event, mode === "batch" ? `[${index}]` : ""));
    const failures = new Map<string, unknown>();
    const onFailure = (step: { id: string }, error: unknown) => {
      failures.set(step.id, error);
      const event = accepted.find((a) => a.event.id === step.id)?.event;
      // A single event's failure is the answer, which onErrorWith logs naming the event.
      if (mode === "batch") logFailure(c, event, error);
      else noteHandling(c, event);
    };
    const results = options.db ? await runInTransaction(options.db, accepted, onFailure, (error, count) => logBatchFallback(c, error, count)) : await runEach(accepted, onFailure);
    // A single structured event keeps the plain HTTP meaning: its failure is the answer's status.
    const failure = mode === "batch" ? undefined : failures.get(results[0]?.id ?? "");
    if (failure !== undefined) throw failure;
    return c.json({ results });
  });

  type Accepted = AcceptedEvent;

  const orderKeyOf = (event: EventOf<EventType>) => event.data.orderId;

  function runEach(accepted: Accepted[], onFailure: (step: { id: string }, error: unknown) => void): Promise<EventResult[]> {
    const steps = accepted.map(({ event, spec }): Step => ({ id: event.id, orderKey: orderKeyOf(event), apply: () => runOnce(event, spec) }));
    return applyInOrder(steps, onFailure, { concurrency: eachConcurrency });
  }

  /**
   * One transaction for the batch, each event in a savepoint of it, events in order. The fast path
   * is asked for the whole batch at once, before the transaction (concurrent commands, which the
   * Redis client pipelines, and no Redis round trip while the transaction holds a connection). It
   * is told "done" only after the commit: marking before it would let a rolled-back event pass for
   * a duplicate. A failed commit undoes the whole batch, and the request fails as a whole.
   */
  async function runInTransaction(
    db: Db,
    accepted: Accepted[],
    onFailure: (step: { id: string }, error: unknown) => void,
    onFallback: (error: unknown, events: number) => void,
  ): Promise<EventResult[]> {
    const keys = accepted.map(({ event, spec }) => keyOf(event, spec));
    const firstOf = new Map<string, number>();
    keys.forEach((key, i) => firstOf.has(key) || firstOf.set(key, i));
    const seen = await Promise.all([...firstOf.keys()].map(async (key) => [key, await idempotency.get(key)] as const));
    const fresh = seen.filter(([, state]) => state !== "done").map(([key]) => key);
    const claims = new Map<string, ClaimToken | undefined>(await Promise.all(fresh.map(async (key) => [key, await idempotency.claim(key, claimTtlMs)] as const)));
    const applied = new Set<string>();
    try {
      const results = await db.transaction(async (tx) => {
        const batched = options.applyBatch ? await applyAsBatch(tx, options.applyBatch, accepted, keys, claims, applied, onFailure, onFallback) : undefined;
        if (batched) return batched;
        const apply = async (event: EventOf<EventType>, spec: EventHandlerSpec<EventType>, index: number): Promise<Outcome> => {
          const key = keys[index]!;
          // The same key again in this batch: the database, inside this transaction, decides.
          if (firstOf.get(key) !== index) return tx.transaction((savepoint) => spec.handle(event, savepoint));
          if (!claims.has(key)) return "duplicate";
          if (!claims.get(key)) throw inProgress(key);
          const outcome = await tx.transaction((savepoint) => spec.handle(event, savepoint));
          applied.add(key);
          return outcome;
        };
        return applyInOrder(
          accepted.map(({ event, spec }, index): Step => ({ id: event.id, orderKey: orderKeyOf(event), apply: () => apply(event, spec, index) })),
          onFailure,
        );
      });
      await Promise.all(
        [...claims].map(([key, token]) =>
          token === undefined ? undefined : applied.has(key) ? idempotency.markDone(key, token, doneTtlMs) : idempotency.release(key, token),
        ),
      );
      return results;
    } catch (error) {
      await Promise.all([...claims].map(([key, token]) => (token === undefined ? undefined : idempotency.release(key, token))));
      throw error;
    }
  }

  /**
   * The set-based path (`applyBatch`): the fast path's verdicts first (batch-plan.ts), then every
   * other event to the service's batch handler at once, in a savepoint. If the handler throws, the
   * savepoint is rolled back and undefined returned: the caller then applies the events one by one,
   * each in its own savepoint, which finds the event at fault and answers each on its own.
   */
  async function applyAsBatch(
    tx: Db,
    applyBatch: BatchApply,
    accepted: Accepted[],
    keys: string[],
    claims: Map<string, ClaimToken | undefined>,
    applied: Set<string>,
    onFailure: (step: { id: string }, error: unknown) => void,
    onFallback: (error: unknown, events: number) => void,
  ): Promise<EventResult[] | undefined> {
    const planned = accepted.map(({ event }, i) => ({ id: event.id, key: keys[i]!, orderKey: orderKeyOf(event) }));
    const plan = planBatch(planned, claims, inProgress);
    let outcomes: Outcome[];
    try {
      outcomes = plan.apply.length === 0 ? [] : await tx.transaction((savepoint) => applyBatch(plan.apply.map((i) => accepted[i]!.event), savepoint));
    } catch (error) {
      onFallback(error, plan.apply.length);
      return undefined;
    }
    for (const { index, error } of plan.failures) onFailure(planned[index]!, error);
    plan.apply.forEach((index, i) => {
      plan.decided[index] = { id: planned[index]!.id, outcome: outcomes[i]! };
      if (claims.get(keys[index]!)) applied.add(keys[index]!);
    });
    return plan.decided as EventResult[];
  }

  const keyOf = (event: EventOf<EventType>, spec: EventHandlerSpec<EventType>) => spec.dedupKey?.(event) ?? defaultDedupKey(service, event);
  const inProgress = (key: string) =>
    new AppError("event.in_progress", `${key} is being processed by another delivery`, { status: 503, retryable: true });

  async function runOnce(event: EventOf<EventType>, spec: EventHandlerSpec<EventType>): Promise<Outcome> {
    const key = keyOf(event, spec);
    if ((await idempotency.get(key)) === "done") return "duplicate";
    const token = await idempotency.claim(key, claimTtlMs);
    if (!token) throw inProgress(key);
    try {
      const outcome = await spec.handle(event);
      // False when our claim lapsed meanwhile: whatever holds the key now is not ours to mark.
      await idempotency.markDone(key, token, doneTtlMs);
      return outcome;
    } catch (error) {
      await idempotency.release(key, token);
      throw error;
    }
  }

  return app;
}

/**
 * The event's source and id (CloudEvents makes an id unique within its source only), as a JSON
 * array: a source may hold `:`, so joining the two with one would let two events share a key.
 */
export function defaultDedupKey(service: string, event: { source: string; id: string }): string {
  return `${service}:${JSON.stringify([event.source, event.id])}`;
}

/** The compiler checks literals; this catches a handler map built some other way. */
function assertExactly(service: string, subscribes: readonly EventType[], handlers: Partial<Record<EventType, unknown>>) {
  const handled = Object.keys(handlers).sort();
  const wanted = [...new Set(subscribes)].sort();
  if (handled.join() !== wanted.join()) {
    throw new AppError("config.handlers_mismatch", `${service}: handlers for ${handled.join(", ")} but subscribed to ${wanted.join(", ")}`);
  }
}
