import * as v from "valibot";
import { isRfc3339, isUtf8JsonMediaType } from "../cloudevents/index.ts";
import { isStorableEventTime } from "./event-time.ts";
import { maxLinesPerOrder } from "./lists.ts";
import { line, plainText } from "./text.ts";

/**
 * Checked at the edge by the CloudEvents parse (lib/cloudevents/envelope.ts), to the spec and more
 * strictly than here: typed, not checked again. A missing one still fails (valibot reports a
 * missing key), but a valid CloudEvent always has them.
 */
function checkedAtTheEdge<T>() {
  return v.custom<T>(() => true);
}

/**
 * An envelope string the edge checked as a CloudEvents string, which lets bidirectional controls
 * through: ids end up in logs, so they get our text rules too.
 */
const traceString = v.pipe(v.string(), v.nonEmpty(), plainText);

/**
 * Our events' data is JSON. Any producer's spelling of that is JSON too (RFC 9110 8.3.1): the
 * CloudEvents JS SDK sends `application/json; charset=utf-8` in binary mode, others
 * `Application/JSON` or a `+json` type; only a charset other than UTF-8 is refused (422, naming
 * `datacontenttype`).
 */
const jsonDataContentType = v.pipe(v.string(), v.check(isUtf8JsonMediaType, "a JSON media type such as application/json, in UTF-8"));

/** RFC 3339 checked at the edge; here only that our stores can hold it (see isStorableEventTime). */
const eventTime = v.pipe(v.string(), v.check(isStorableEventTime, "a time between the years 0100 and 9999 in UTC"));

/**
 * A domain event: a valid CloudEvent (parsed at the edge, see `checkedAtTheEdge`) with our tracing
 * attributes and a typed `data`. `correlationid` follows the order's whole flow (it is the
 * orderId's flow id); `causationid` is the id of the event that caused this one. Only what the
 * CloudEvents envelope leaves open is checked: `type` (one comparison, and the catalogue reads the
 * literal), that `time` is storable (its format is the envelope's), `datacontenttype`, the tracing
 * attributes, our text rules on the ids, and `data`. So apply these schemas to a `ValidCloudEvent`,
 * never to raw input.
 */
export function domainEventSchema<const T extends string, D extends v.GenericSchema>(type: T, data: D) {
  return v.looseObject({
    specversion: checkedAtTheEdge<"1.0">(),
    id: traceString,
    source: checkedAtTheEdge<string>(),
    type: v.literal(type),
    time: eventTime,
    datacontenttype: v.optional(jsonDataContentType),
    correlationid: traceString,
    causationid: v.optional(traceString),
    data,
  });
}

/**
 * The most any amount may be, in minor units: a price, an order's total (the order service refuses
 * a larger one), a charge, a refund. It fits a 32-bit column, and 100 lines of 10,000 units at it
 * still add up exactly in a double.
 */
export const maxAmount = 1_000_000_000;
/** The most stock a product may hold (and so report as available). */
export const maxStockLevel = 1_000_000_000;

// v.number() refuses NaN and v.integer() refuses ±Infinity (JSON's 1e999), so every cap is real.
const wholeNumber = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** Amounts in the currency's minor unit (see `minorUnitOf`). */
export const money = wholeNumber(0, maxAmount);
export const maxQuantity = 10_000;
/** Units on one line of an order. */
export const quantity = wholeNumber(1, maxQuantity);
/** Units of one product across an order's lines: inventory reserves and releases one line per product. */
export const productQuantity = wholeNumber(1, maxQuantity * maxLinesPerOrder);
export const stockLevel = wholeNumber(0, maxStockLevel);
export const id = line(100);
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
