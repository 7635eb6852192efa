import fc from "fast-check";
import { type EventType, eventCatalog } from "../../lib/events/index.ts";
import { dataFor } from "../../lib/testing/index.ts";
import { subscriptions } from "../roster.ts";
import { dataFlaw } from "./data-flaws.ts";
import { envelopeFlaw } from "./envelope-flaws.ts";
import { batchPush, type Mode, modes, pushOf, type RawPush } from "./raw-push.ts";
import { transportFlaw } from "./transport-flaws.ts";

type Json = Record<string, unknown>;

/** A push to the internal listener that must be refused (4xx) even though it is correctly signed. */
export type EventInput = { kind: string; detail: string; service: string; mode: Mode | "any"; push: RawPush };

/** Every (service, type) the dispatcher may push: the flawed events start from these. */
export const subscribedPairs = subscriptions.flatMap(({ service, types }) => types.map((type) => ({ service, type: type as EventType, subscribed: types as readonly string[] })));

/** A valid event of `type`, as its producer would write it. */
export function validEvent(type: EventType, id: string, orderId: string): Json {
  return {
    specversion: "1.0",
    id,
    source: eventCatalog[type].source,
    type,
    time: "2026-11-25T10:00:00.000Z",
    datacontenttype: "application/json",
    correlationid: orderId,
    data: dataFor(type, orderId),
  };
}

/** A fresh valid event for a (service, type) pair (ids never repeat, so a valid one would be applied). */
export const validPush = fc
  .record({ pair: fc.constantFrom(...subscribedPairs), id: fc.uuid(), order: fc.stringMatching(/^[a-z0-9]{8}$/) })
  .map(({ pair, id, order }) => ({ ...pair, event: validEvent(pair.type, `sec-${id}`, `o-sec-${order}`) }));

const companionsOf = (event: Json, count: number) => Array.from({ length: count }, (_, i) => ({ ...event, id: `${event.id}-${i}` }));

/** One flawed event, in any mode; in a batch, among valid ones (a bad batch must change nothing). */
const flawedEvent: fc.Arbitrary<EventInput> = validPush.chain(({ service, subscribed, event }) =>
  fc.tuple(fc.oneof(envelopeFlaw(event, service, subscribed), dataFlaw(event)), fc.constantFrom(...modes), fc.integer({ min: 0, max: 3 }), fc.nat()).map(([flaw, mode, count, slot]) => {
    const sent: Mode = flaw.jsonOnly && mode === "binary" ? "structured" : mode;
    const events: unknown[] = companionsOf(event, count);
    events.splice(slot % (count + 1), 0, flaw.event);
    return { kind: flaw.kind, detail: flaw.detail, service, mode: sent, push: pushOf(sent, service, events as Json[], flaw.event) };
  }),
);

/** Batches wrong as a whole: over the limit, not a list, or a list with something other than events. */
const flawedBatch: fc.Arbitrary<EventInput> = validPush.chain(({ service, event }) =>
  fc.oneof(
    fc.integer({ min: 501, max: 560 }).map((count) => ({ kind: "more than 500 events in one push", detail: `${count} valid events`, service, mode: "batch" as const, push: batchPush(service, companionsOf(event, count)) })),
    fc.constant({ kind: "a batch that is not a list", detail: "one event object", service, mode: "batch" as const, push: batchPush(service, event) }),
    fc.constantFrom<unknown>(1, "x", null, [], true).map((value) => ({
      kind: "a batch with something other than an event",
      detail: JSON.stringify(value),
      service,
      mode: "batch" as const,
      push: batchPush(service, [event, value]),
    })),
  ),
);

export const eventInput: fc.Arbitrary<EventInput> = fc.oneof(
  { weight: 10, arbitrary: flawedEvent },
  { weight: 1, arbitrary: flawedBatch },
  { weight: 3, arbitrary: validPush.chain(({ service, event }) => transportFlaw(service, event)) },
);
