import { pgSchema } from "drizzle-orm/pg-core";
import { messagingTables } from "../outbox/tables.ts";

/**
 * One PostgreSQL schema per service: each service owns its tables and no other service reads them.
 * The relay only needs each schema's outbox, so the schemas are named here, in one place.
 */
export const serviceSchemas = {
  order: pgSchema("orders"),
  payment: pgSchema("payments"),
  inventory: pgSchema("inventory"),
  shipping: pgSchema("shipping"),
  notification: pgSchema("notifications"),
} as const;

export const messaging = {
  order: messagingTables(serviceSchemas.order),
  payment: messagingTables(serviceSchemas.payment),
  inventory: messagingTables(serviceSchemas.inventory),
  shipping: messagingTables(serviceSchemas.shipping),
  notification: messagingTables(serviceSchemas.notification),
} as const;

// drizzle-kit finds tables among a schema file's top-level exports only.
export const orderOutbox = messaging.order.outbox;
export const orderProcessedEvents = messaging.order.processedEvents;
export const paymentOutbox = messaging.payment.outbox;
export const paymentProcessedEvents = messaging.payment.processedEvents;
export const inventoryOutbox = messaging.inventory.outbox;
export const inventoryProcessedEvents = messaging.inventory.processedEvents;
export const shippingOutbox = messaging.shipping.outbox;
export const shippingProcessedEvents = messaging.shipping.processedEvents;
export const notificationOutbox = messaging.notification.outbox;
export const notificationProcessedEvents = messaging.notification.processedEvents;
export const ordersSchema = serviceSchemas.order;
export const paymentsSchema = serviceSchemas.payment;
export const inventorySchema = serviceSchemas.inventory;
export const shippingSchema = serviceSchemas.shipping;
export const notificationsSchema = serviceSchemas.notification;
