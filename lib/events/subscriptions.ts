import { type EventType, topics } from "./catalog.ts";

export type ServiceName = "order" | "payment" | "inventory" | "shipping" | "notification";

/**
 * Who listens to what (DESIGN.md). The dispatcher runs one consumer group per subscription and
 * pushes only the listed types to `POST /events/{service}`; the rest are skipped and committed.
 */
export type SubscriptionSpec = { service: ServiceName; topics: string[]; types: EventType[] };

export const subscriptions: SubscriptionSpec[] = [
  {
    service: "payment",
    topics: [topics.order.name, topics.inventory.name],
    types: ["com.example.order.created", "com.example.stock.insufficient", "com.example.stock.released"],
  },
  {
    service: "inventory",
    // shipment.created: the reserved stock has left the warehouse (and must no longer expire).
    topics: [topics.payment.name, topics.shipment.name],
    types: ["com.example.payment.completed", "com.example.shipment.created"],
  },
  {
    service: "shipping",
    topics: [topics.inventory.name],
    types: ["com.example.stock.reserved"],
  },
  {
    service: "order",
    topics: [topics.payment.name, topics.inventory.name, topics.shipment.name],
    types: [
      "com.example.payment.completed",
      "com.example.payment.failed",
      "com.example.payment.refunded",
      "com.example.stock.reserved",
      "com.example.stock.insufficient",
      "com.example.stock.released",
      "com.example.shipment.created",
    ],
  },
  {
    service: "notification",
    topics: [topics.order.name, topics.payment.name, topics.inventory.name, topics.shipment.name],
    types: [
      "com.example.order.created",
      "com.example.order.cancelled",
      "com.example.payment.completed",
      "com.example.payment.failed",
      "com.example.payment.refunded",
      "com.example.stock.reserved",
      "com.example.stock.insufficient",
      "com.example.stock.released",
      "com.example.shipment.created",
    ],
  },
];
