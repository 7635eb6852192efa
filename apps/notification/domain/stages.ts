import type { EventOf } from "../../../lib/events/index.ts";

/** Every step the customer hears about. */
export const notifiedTypes = [
  "com.example.order.created",
  "com.example.order.cancelled",
  "com.example.payment.completed",
  "com.example.payment.failed",
  "com.example.payment.refunded",
  "com.example.payment.escalated",
  "com.example.stock.reserved",
  "com.example.stock.insufficient",
  "com.example.stock.released",
  "com.example.shipment.created",
] as const;

export type NotifiedType = (typeof notifiedTypes)[number];
export type NotifiedEvent = EventOf<NotifiedType>;

/**
 * Where each message stands in an order's story: received, paid (or not), stock held (or short),
 * stock given back, money given back, a person looking, and the end (shipped or cancelled). Steps
 * of one story only ever go up; two messages of one stage belong to different stories (paid or
 * declined), so only one of them is ever sent. Events of different topics arrive in any order, and
 * a redrive brings old ones back: a message for an earlier stage than one the customer already got
 * is skipped, so "paid" never follows "shipped". Stored with each row (drizzle/0006 backfills them).
 */
export const stageOf: Record<NotifiedType, number> = {
  "com.example.order.created": 10,
  "com.example.payment.completed": 20,
  "com.example.payment.failed": 20,
  "com.example.stock.reserved": 30,
  "com.example.stock.insufficient": 30,
  "com.example.stock.released": 40,
  "com.example.payment.refunded": 50,
  "com.example.payment.escalated": 60,
  "com.example.shipment.created": 70,
  "com.example.order.cancelled": 70,
};
