import { Hono } from "hono";
import { readCloudEvents } from "../cloudevents/index.ts";
import { AppError } from "../errors/index.ts";
import type { EventOf, EventType } from "../events/index.ts";
import type { Db } from "../db/index.ts";
import type { IdempotencyStore } from "../idempotency/index.ts";
import type { WebhookVerifier } from "../security/index.ts";
import { acceptEvent } from "./accept-event.ts";
import { applyPush, type BatchApply, type Outcome, type PushSettings } from "./apply-push.ts";
import { logBatchFallback, logFailure, noteHandling } from "./problem.ts";
import { assertPushSize, verifiedPush } from "./signed-push.ts";

export type { BatchApply, Outcome };

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
   * Leave it out where a handler calls the outside world (a gateway, a provider): those open
   * their own transactions around the call, and different orders are applied side by side.
   */
  db?: Db;
  /** The service's set-based handler of a whole push, tried first (apply-push.ts, BatchApply). */
  applyBatch?: BatchApply;
};


/**
 * Standard Webhooks signs the body only: in binary mode the attributes (type, source, id) travel
 * in `ce-` headers that anyone on the path could change under a valid signature. So our webhooks
 * take structured and batch mode only, whose attributes are in the body; the dispatcher pushes
 * batches to them (binary mode is for external receivers configured for it).
 */
const refuseBinary = "binary mode is not accepted on signed pushes: its ce- headers are outside the signature";

/**
 * `POST /events/{service}`: structured or batch CloudEvents (lib/cloudevents/http.ts), signed
 * (401 before the body is read otherwise); binary mode is 415 (see `refuseBinary`). Every event of
 * the request is validated before any is applied, so a bad request changes nothing: 400 malformed
 * CloudEvent, 413 more than `maxEventsPerPush`, 415 unusable content type, 422 a type this service
 * does not handle, a `source` other than its producer's, or `data` that fails its schema.
 *
 * Then the events run through the fast path (SET NX claim) to the handlers (apply-push.ts), whose
 * database transaction is the truth, and each gets its own outcome (event-outcomes.ts): one event's failure
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
  const settings: PushSettings = {
    ...{ service, idempotency, claimTtlMs, doneTtlMs, db: options.db, applyBatch: options.applyBatch },
    keyOf: ({ event, spec }) => spec.dedupKey?.(event) ?? defaultDedupKey(service, event),
  };
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
    const results = await applyPush(settings, accepted, { failure: onFailure, fallback: (error, count) => logBatchFallback(c, error, count) });
    // A single structured event keeps the plain HTTP meaning: its failure is the answer's status.
    const failure = mode === "batch" ? undefined : failures.get(results[0]?.id ?? "");
    if (failure !== undefined) throw failure;
    return c.json({ results });
  });

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
