import type { Hono } from "hono";
import { type CloudEvent, toBatchRequest, toBinaryRequest, toStructuredRequest, type ValidCloudEvent } from "../cloudevents/index.ts";
import { type DataOf, type DomainEvent, type EventContext, type EventOf, type EventType, newEvent } from "../events/index.ts";
import type { Problem } from "../http/index.ts";
import type { IdempotencyStore } from "../idempotency/index.ts";
import { signedForTest } from "./security.ts";

/**
 * Test events and deliveries for the services' webhooks: valid `data` for every event type (so a
 * test names only what it is about), delivery in each HTTP content mode, and an idempotency store
 * that forgets everything (the fast path defeated, as after a Redis failover or flush).
 */

export const testAddress = { prefecture: "東京都", city: "千代田区", line1: "丸の内1-1-1", postalCode: "100-0001" };
export const testTime = new Date("2026-11-25T10:00:00.000Z");

type Item = { productId: string; quantity: number };
const defaultItems: Item[] = [{ productId: "sku-1", quantity: 1 }];

/** Valid `data` for each type, for one order; `overrides` replaces top-level fields. */
export function dataFor<T extends EventType>(type: T, orderId: string, overrides: Partial<DataOf<T>> = {}): DataOf<T> {
  const base = { orderId, userId: `user-of-${orderId}` };
  const items = (overrides as { items?: Item[] }).items ?? defaultItems;
  const all: { [K in EventType]: DataOf<K> } = {
    "com.example.order.created": {
      ...base,
      items: items.map((item) => ({ ...item, unitPrice: 1000 })),
      totalAmount: items.reduce((sum, item) => sum + item.quantity * 1000, 0),
      currency: "JPY",
      shippingAddress: testAddress,
      payment: { method: "credit_card", token: "tok_visa" },
    },
    "com.example.order.cancelled": { ...base, reason: "payment_failed" },
    "com.example.payment.completed": {
      ...base,
      paymentId: `pay-${orderId}`,
      amount: 1000,
      currency: "JPY",
      method: "credit_card",
      transactionId: `txn-${orderId}`,
      items,
      shippingAddress: testAddress,
    },
    "com.example.payment.failed": { ...base, paymentId: `pay-${orderId}`, amount: 1000, currency: "JPY", method: "credit_card", code: "card_declined" },
    "com.example.payment.refunded": {
      ...base,
      paymentId: `pay-${orderId}`,
      amount: 1000,
      currency: "JPY",
      refundId: `re-${orderId}`,
      reason: "out_of_stock",
    },
    "com.example.payment.escalated": {
      ...base,
      paymentId: `pay-${orderId}`,
      amount: 1000,
      currency: "JPY",
      reason: "charge_unresolved",
      detail: "gateway.timeout: the processor did not answer in time",
    },
    "com.example.stock.reserved": {
      ...base,
      reservationId: `res-${orderId}`,
      items: items.map((item) => ({ ...item, warehouseId: "tokyo-1" })),
      expiresAt: "2026-11-25T10:30:00.000Z",
      shippingAddress: testAddress,
    },
    "com.example.stock.insufficient": { ...base, missing: [{ productId: "sku-1", requested: 1, available: 0 }] },
    "com.example.stock.released": { ...base, reservationId: `res-${orderId}`, items, reason: "expired" },
    "com.example.stock.expired": { ...base, reservationId: `res-${orderId}`, expiresAt: "2026-11-25T10:30:00.000Z" },
    "com.example.shipment.created": {
      ...base,
      shipmentId: `shp-${orderId}`,
      carrier: "yamato",
      trackingNumber: "123456789012",
      shippingAddress: testAddress,
    },
    "com.example.shipment.refused": { ...base, reservationId: `res-${orderId}`, reason: "reservation_expired" },
  };
  return { ...all[type], ...overrides } as unknown as DataOf<T>;
}

// newEvent's `data` parameter, indexed by a still-generic T, is seen by the compiler as the
// intersection of every event's data; dataFor already pairs each type with its own data.
const buildEvent = newEvent as (type: EventType, data: DataOf<EventType>, context: EventContext) => ValidCloudEvent<DomainEvent>;

/** An event of `type` for `orderId`; its id defaults to `${type}:${orderId}` (stable per order and type). */
export function eventFor<T extends EventType>(
  type: T,
  orderId: string,
  options: { id?: string; data?: Partial<DataOf<T>> } = {},
): ValidCloudEvent<EventOf<T>> {
  return buildEvent(type, dataFor(type, orderId, options.data), {
    id: options.id ?? `${type}:${orderId}`,
    time: testTime,
    correlationid: orderId,
  }) as ValidCloudEvent<EventOf<T>>;
}

export type Mode = "binary" | "structured" | "batch";
/** The modes our webhooks take; binary mode is refused (its `ce-` headers are outside the signature). */
export const modes: Mode[] = ["structured", "batch"];

export function webhookUrl(service: string): string {
  return `http://localhost/events/${service}`;
}

export function eventRequest(service: string, event: ValidCloudEvent, mode: Mode = "structured"): Request {
  const url = webhookUrl(service);
  if (mode === "structured") return toStructuredRequest(url, event);
  if (mode === "batch") return toBatchRequest(url, [event]);
  return toBinaryRequest(url, event);
}

/** POSTs `event` to the service's webhook in `mode`. */
export async function deliver(app: Hono, service: string, event: ValidCloudEvent, mode: Mode = "structured"): Promise<Response> {
  return app.request(await signedForTest(eventRequest(service, event, mode)));
}

/** Delivers the same event `times` times at once (the redelivery race). */
export async function deliverConcurrently(app: Hono, service: string, event: ValidCloudEvent, times = 3): Promise<Response[]> {
  return Promise.all(Array.from({ length: times }, () => deliver(app, service, event)));
}

export type WebhookResults = { results: Array<{ id: string; outcome: "processed" | "duplicate" }> };

export async function outcomesOf(response: Response): Promise<string[]> {
  const body = (await response.json()) as WebhookResults;
  return body.results.map((result) => result.outcome);
}

/** What a delivery of one event was answered: its outcome, or the status of an error. */
export type Answer = "processed" | "duplicate" | number;

export async function answerOf(response: Response): Promise<Answer> {
  if (response.status !== 200) return response.status;
  const [outcome, ...more] = await outcomesOf(response);
  if (!outcome || more.length > 0) throw new Error(`expected one result, got ${[outcome, ...more].join(", ")}`);
  return outcome as Answer;
}

/** The RFC 9457 body, after checking the media type says it is one. */
export async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) {
    throw new Error(`expected application/problem+json, got ${type} (${response.status}): ${await response.text()}`);
  }
  return (await response.json()) as Problem;
}

/** The fields an RFC 9457 answer names in `errors`, after checking it has `status`. */
export async function problemFields(response: Response, status: number): Promise<string[]> {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${await response.text()}`);
  const problem = await problemOf(response);
  if (problem.status !== status) throw new Error(`the problem says ${problem.status}, the response ${status}`);
  return (problem.errors ?? []).map((issue) => issue.field);
}

/**
 * The fast path defeated: every key looks new and every claim succeeds, as when Redis lost its keys
 * (failover, eviction, flush) or a claim's TTL ran out under a paused holder. Only the database's
 * unique constraints stand between a redelivery and a second effect.
 */
export function createForgetfulIdempotencyStore(): IdempotencyStore {
  return {
    // Every caller wins a claim that nothing records, so nothing can be released or marked done.
    claim: async () => crypto.randomUUID(),
    markDone: async () => false,
    release: async () => false,
    get: async () => undefined,
    claimMany: async (keys) => new Map(keys.map((key) => [key, { outcome: "claimed", token: crypto.randomUUID() }] as const)),
    settleMany: async (settlements) => settlements.map(() => false),
    close: async () => {},
  };
}

/** A request that is a CloudEvent in no mode: text/plain without ce- headers. */
export function plainTextRequest(service: string): Request {
  return new Request(webhookUrl(service), { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
}

/** A structured-mode request whose body is JSON but not a valid CloudEvent (no specversion, bad source). */
export function malformedStructuredRequest(service: string, event: CloudEvent): Request {
  const { specversion: _drop, ...rest } = event;
  return new Request(webhookUrl(service), {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json" },
    body: JSON.stringify(rest),
  });
}

/** A batch request built by hand, so that it may contain events the envelope check would refuse. */
export function rawBatchRequest(service: string, events: unknown[]): Request {
  return new Request(webhookUrl(service), {
    method: "POST",
    headers: { "content-type": "application/cloudevents-batch+json" },
    body: JSON.stringify(events),
  });
}

export type RejectionCase = { name: string; request: () => Request; status: number; field?: string };

/**
 * The webhook's refusals, for any service (table-driven): a malformed CloudEvent is 400, a body
 * that is not a CloudEvent in any mode or one in binary mode 415, a type the service does not handle 422 naming `type`,
 * and `data` failing its schema 422 naming the field. None of them is retried by the dispatcher.
 */
export function rejectionCases(
  service: string,
  cases: { valid: ValidCloudEvent; unhandled: ValidCloudEvent; invalid: ValidCloudEvent; invalidField: string },
): RejectionCase[] {
  const { valid, unhandled, invalid, invalidField } = cases;
  return [
    { name: "a structured event without specversion", request: () => malformedStructuredRequest(service, valid), status: 400 },
    {
      name: "structured JSON that does not parse",
      request: () =>
        new Request(webhookUrl(service), { method: "POST", headers: { "content-type": "application/cloudevents+json" }, body: "{" }),
      status: 400,
    },
    { name: "text/plain without ce- headers", request: () => plainTextRequest(service), status: 415 },
    { name: "an unknown CloudEvents format (+xml)", request: () => new Request(webhookUrl(service), { method: "POST", headers: { "content-type": "application/cloudevents+xml" }, body: "<e/>" }), status: 415 },
    { name: `a ${unhandled.type} event (not handled)`, request: () => eventRequest(service, unhandled), status: 422, field: "type" },
    { name: "a type outside the catalog", request: () => eventRequest(service, { ...valid, type: "com.example.gift.wrapped" }), status: 422, field: "type" },
    { name: "a valid event in binary mode (its ce- headers are unsigned)", request: () => eventRequest(service, valid, "binary"), status: 415, field: "content-type" },
    { name: `data failing the schema at ${invalidField} (structured)`, request: () => eventRequest(service, invalid, "structured"), status: 422, field: invalidField },
    { name: "a batch whose second event fails its schema", request: () => toBatchRequest(webhookUrl(service), [valid, invalid]), status: 422, field: `[1].${invalidField}` },
    { name: "a batch whose second event is malformed", request: () => rawBatchRequest(service, [valid, { ...valid, id: "" }]), status: 400 },
  ];
}

export type Tally = { processed: number; duplicate: number; busy: number; other: number[] };

/** Outcomes over several responses: `busy` counts 503s (another delivery holds the claim). */
export async function tally(responses: Response[]): Promise<Tally> {
  const counts: Tally = { processed: 0, duplicate: 0, busy: 0, other: [] };
  for (const response of responses) {
    if (response.status === 200) for (const outcome of await outcomesOf(response.clone())) counts[outcome as "processed" | "duplicate"]++;
    else if (response.status === 503) counts.busy++;
    else counts.other.push(response.status);
  }
  return counts;
}
