import { instantOf } from "../cloudevents/index.ts";

// The instants a `timestamp with time zone` column round-trips through a Date: a Date past 9999
// prints as `+010000-…`, which PostgreSQL does not read, and the column comes back as text
// (`0001-01-01 00:00:00+00`) in which Date reads a year below 100 as 19xx or 20xx.
const earliest = Date.parse("0100-01-01T00:00:00.000Z");
const latest = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * What an event's `time` (RFC 3339, checked at the edge) does in our stores, decided once for the
 * HTTP and the Kafka path alike, since both reach the same webhook:
 * - a leap second (`23:59:60Z`) is kept: the event keeps its `time` as sent, and a column stores
 *   the last millisecond before it (`eventInstant`). Refusing it would refuse a correct producer.
 * - an instant before year 100 or after year 9999 in UTC (`0000-01-01T00:00:00Z`,
 *   `9999-12-31T23:59:59-23:59`) is refused by the domain schema (422 naming `time`): the column
 *   does not give it back, and moving it by years to one it does would misstate when the event
 *   happened. No order event is that old or that far ahead.
 */
export function isStorableEventTime(time: string): boolean {
  const instant = instantOf(time).getTime();
  return instant >= earliest && instant <= latest;
}

/** The Date a column stores for an event's `time`; the domain schema made sure it fits. */
export function eventInstant(time: string): Date {
  return instantOf(time);
}
