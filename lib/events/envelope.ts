import * as v from "valibot";
import { isRfc3339 } from "../cloudevents/index.ts";

/**
 * Checked at the edge by the CloudEvents parse (lib/cloudevents/envelope.ts), to the spec and more
 * strictly than here: typed, not checked again. A missing one still fails (valibot reports a
 * missing key), but a valid CloudEvent always has them.
 */
function checkedAtTheEdge<T>() {
  return v.custom<T>(() => true);
}

/**
 * A domain event: a valid CloudEvent (parsed at the edge, see `checkedAtTheEdge`) with our tracing
 * attributes and a typed `data`. `correlationid` follows the order's whole flow (it is the
 * orderId's flow id); `causationid` is the id of the event that caused this one. Only what the
 * CloudEvents envelope leaves open is checked: `type` (one comparison, and the catalogue reads the
 * literal), that `time` is there (its format is the envelope's), `datacontenttype`, the tracing
 * attributes and `data`. So apply these schemas to a `ValidCloudEvent`, never to raw input.
 */
export function domainEventSchema<const T extends string, D extends v.GenericSchema>(type: T, data: D) {
  return v.looseObject({
    specversion: checkedAtTheEdge<"1.0">(),
    id: checkedAtTheEdge<string>(),
    source: checkedAtTheEdge<string>(),
    type: v.literal(type),
    time: v.string(),
    datacontenttype: v.optional(v.literal("application/json")),
    correlationid: v.pipe(v.string(), v.nonEmpty()),
    causationid: v.optional(v.pipe(v.string(), v.nonEmpty())),
    data,
  });
}

/**
 * Text that PostgreSQL can store (no NUL: text and jsonb refuse it) and a person can read (no
 * other control characters), of bounded length.
 */
export function line(maxLength: number) {
  return v.pipe(v.string(), v.nonEmpty(), v.maxLength(maxLength), v.regex(/^[^\u0000-\u001f\u007f]*$/u, "control characters are not allowed"));
}

/** Amounts in the currency's minor unit; the cap keeps any order total inside a 32-bit column. */
export const money = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000_000));
export const quantity = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000));
export const id = line(100);
export const currency = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "an ISO 4217 code such as JPY"));
// Not v.isoTimestamp(): its pattern is looser and stricter than RFC 3339 at once. It lets through
// what RFC 3339 5.6 refuses (offsets `+05` and `+0500`, a space for the `T`, `2018-02-30`) and
// refuses what it allows (a lower-case `t` or `z`, a leap second, more than nine fraction digits).
// CloudEvents timestamps are RFC 3339, so `isRfc3339` checks that grammar to the letter.
export const timestamp = v.pipe(v.string(), v.check(isRfc3339, "an RFC 3339 timestamp"));

export const shippingAddress = v.object({
  prefecture: line(20),
  city: line(100),
  line1: line(200),
  postalCode: v.pipe(v.string(), v.regex(/^\d{3}-?\d{4}$/, "a Japanese postal code such as 100-0001")),
});
export type ShippingAddress = v.InferOutput<typeof shippingAddress>;

export const paymentMethod = v.picklist(["credit_card", "bank_transfer", "convenience_store"]);
export type PaymentMethod = v.InferOutput<typeof paymentMethod>;
