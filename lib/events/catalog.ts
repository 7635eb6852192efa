import type * as v from "valibot";
import { stockExpired, stockInsufficient, stockReleased, stockReserved } from "./inventory.ts";
import { orderCancelled, orderCreated } from "./order.ts";
import { paymentCompleted, paymentEscalated, paymentFailed, paymentRefunded } from "./payment.ts";
import { shipmentCreated, shipmentRefused } from "./shipment.ts";

/** A topic of the log, how many partitions it has, and whether retention may delete it (the broker port takes the same shape). */
export type TopicSpec = { name: string; partitions: number; keep?: "forever" };

/** Topics and partition counts; every event is keyed by orderId (docs/architecture.md#events-and-topics). */
export const topics = {
  order: { name: "order-events", partitions: 12 },
  payment: { name: "payment-events", partitions: 6 },
  inventory: { name: "inventory-events", partitions: 6 },
  shipment: { name: "shipment-events", partitions: 6 },
  // Kept until redriven: a dead letter waits for a person, however long that takes.
  deadLetter: { name: "dead-letters", partitions: 1, keep: "forever" },
} as const satisfies Record<string, TopicSpec>;

export const allTopics: TopicSpec[] = Object.values(topics);

/**
 * Every event type: its schema, its producer's CloudEvents `source`, its topic, and one line on
 * what it means (docs/events.md is generated from this list by `bun run docs`).
 */
export const eventCatalog = {
  [orderCreated.entries.type.literal]: {
    schema: orderCreated,
    source: "/order-service",
    topic: topics.order.name,
    description: "A customer placed an order (202 Accepted); it waits for payment.",
  },
  [orderCancelled.entries.type.literal]: {
    schema: orderCancelled,
    source: "/order-service",
    topic: topics.order.name,
    description: "The order ended without shipping: payment failed, stock ran out, or the reservation expired.",
  },
  [paymentCompleted.entries.type.literal]: {
    schema: paymentCompleted,
    source: "/payment-service",
    topic: topics.payment.name,
    description: "The order was charged; it carries the items and address that inventory and shipping need.",
  },
  [paymentFailed.entries.type.literal]: {
    schema: paymentFailed,
    source: "/payment-service",
    topic: topics.payment.name,
    description: "The gateway declined the charge; the order is cancelled.",
  },
  [paymentRefunded.entries.type.literal]: {
    schema: paymentRefunded,
    source: "/payment-service",
    topic: topics.payment.name,
    description: "The charge was given back (stock ran out or the reservation expired); the order is cancelled.",
  },
  [paymentEscalated.entries.type.literal]: {
    schema: paymentEscalated,
    source: "/payment-service",
    topic: topics.payment.name,
    description: "Payment cannot finish the order by itself (a charge never resolved, a refund that kept failing); the order needs attention.",
  },
  [stockReserved.entries.type.literal]: {
    schema: stockReserved,
    source: "/inventory-service",
    topic: topics.inventory.name,
    description: "Stock is held for a paid order until `expiresAt`; shipping may ship it.",
  },
  [stockInsufficient.entries.type.literal]: {
    schema: stockInsufficient,
    source: "/inventory-service",
    topic: topics.inventory.name,
    description: "A paid order asked for more than is in stock; nothing was reserved, payment refunds.",
  },
  [stockReleased.entries.type.literal]: {
    schema: stockReleased,
    source: "/inventory-service",
    topic: topics.inventory.name,
    description: "Shipping refused the reservation, so its stock went back; payment refunds.",
  },
  [stockExpired.entries.type.literal]: {
    schema: stockExpired,
    source: "/inventory-service",
    topic: topics.inventory.name,
    description: "A reservation outlived its hold with no shipment recorded; shipping settles it (already shipped, or refused for good).",
  },
  [shipmentCreated.entries.type.literal]: {
    schema: shipmentCreated,
    source: "/shipping-service",
    topic: topics.shipment.name,
    description: "A shipment was arranged for the reserved stock; the reservation can no longer expire.",
  },
  [shipmentRefused.entries.type.literal]: {
    schema: shipmentRefused,
    source: "/shipping-service",
    topic: topics.shipment.name,
    description: "Shipping will never ship the order: its reservation ran out first; inventory gives the stock back.",
  },
} as const;

export type EventType = keyof typeof eventCatalog;
export type DomainEvent = { [T in EventType]: v.InferOutput<(typeof eventCatalog)[T]["schema"]> }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
export type DataOf<T extends EventType> = EventOf<T>["data"];

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

/** The topics that carry `types`, each once, in catalogue order: what a subscriber consumes. */
export function topicsFor(types: readonly EventType[]): string[] {
  return [...new Set(types.map((type) => eventCatalog[type].topic))];
}
