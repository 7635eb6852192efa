import * as v from "valibot";
import { isRfc3339 } from "../cloudevents/rfc3339.ts";

/**
 * A domain event: a CloudEvents 1.0 envelope (already checked to the spec by lib/cloudevents) with
 * the seed's tracing attributes (mission 3) and a typed `data`. `correlationid` follows the order's
 * whole flow (it is the orderId's flow id); `causationid` is the id of the event that caused this one.
 */
export function domainEventSchema<const T extends string, D extends v.GenericSchema>(type: T, data: D) {
  return v.looseObject({
    specversion: v.literal("1.0"),
    id: v.pipe(v.string(), v.nonEmpty()),
    source: v.pipe(v.string(), v.nonEmpty()),
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
// Not v.isoTimestamp(): it is not RFC 3339 (see shared/cloudevents/README.md).
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
