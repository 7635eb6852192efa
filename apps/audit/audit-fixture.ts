import { sql } from "drizzle-orm";
import type { Db } from "../../lib/db/index.ts";
import { gatewayCharges, gatewayRefunds } from "../../lib/payment-gateway/index.ts";
import { testAddress } from "../../lib/testing/index.ts";
import { products, reservations } from "../inventory/store/schema.ts";
import { notifications } from "../notification/store/schema.ts";
import type { OrderStatus } from "../order/domain/order-status.ts";
import { orders, orderTimeline } from "../order/store/schema.ts";
import { refusals, shipments } from "../shipping/store/schema.ts";

/**
 * The auditor's tests write the flow's rows directly, as the services would have left them: one
 * function per story an order can have, then each test breaks one thing.
 */
const at = new Date("2026-01-01T00:00:00Z");
const later = (step: number) => new Date(at.getTime() + step * 1000);
const unitPrice = 700;

type Story = { orderId: string; productId: string; quantity: number };

export async function clearState(db: Db): Promise<void> {
  await db.execute(sql`truncate orders.orders, orders.order_timeline, orders.outbox, payments.outbox, inventory.outbox, shipping.outbox,
    gateway.charges, gateway.refunds, inventory.products, inventory.reservations, shipping.shipments, shipping.refusals, notifications.notifications`);
}

type Reason = "payment_failed" | "out_of_stock" | "reservation_expired" | "charge_unresolved" | "refund_failed";

export async function writeOrder(db: Db, { orderId, productId, quantity }: Story, status: OrderStatus, reason: Reason | null = null) {
  await db.insert(orders).values({
    id: orderId, userId: "u-1", status, reason, items: [{ productId, quantity, unitPrice }], totalAmount: quantity * unitPrice, currency: "JPY",
    shippingAddress: testAddress, payment: { method: "credit_card", token: "tok_visa" }, createdAt: at, updatedAt: at,
  });
}

export async function writeTimeline(db: Db, orderId: string, types: readonly string[]) {
  const rows = types.map((type, step) => ({ source: "/test", eventId: `${orderId}-e${step}`, orderId, type: `com.example.${type}`, time: later(step) }));
  if (rows.length > 0) await db.insert(orderTimeline).values(rows);
}

export async function writeCharge(db: Db, { orderId, quantity }: Story, status: "succeeded" | "declined" = "succeeded") {
  await db.insert(gatewayCharges).values({
    id: `ch-${orderId}`, idempotencyKey: `pay-${orderId}`, orderId, amount: quantity * unitPrice, currency: "JPY", method: "credit_card", status, createdAt: at,
  });
}

export async function writeRefund(db: Db, orderId: string, amount: number) {
  await db.insert(gatewayRefunds).values({ id: `re-${orderId}-${amount}`, idempotencyKey: `refund-${orderId}-${amount}`, chargeId: `ch-${orderId}`, amount, createdAt: at });
}

export async function writeStock(db: Db, productId: string, available: number, reserved = 0) {
  await db.insert(products).values({ productId, available, reserved, updatedAt: at }).onConflictDoUpdate({ target: products.productId, set: { available, reserved } });
}

export async function writeReservation(db: Db, { orderId, productId, quantity }: Story, status: "reserved" | "expiring" | "shipped" | "expired" | "shipped_unbacked") {
  await db.insert(reservations).values({ id: `r-${orderId}`, orderId, items: [{ productId, quantity, warehouseId: "tokyo-1" }], status, expiresAt: later(300), createdAt: at });
}

export async function writeShipment(db: Db, orderId: string) {
  await db.insert(shipments).values({ id: `s-${orderId}`, orderId, reservationId: `r-${orderId}`, carrier: "yamato", trackingNumber: `t-${orderId}`, shippingAddress: testAddress, createdAt: at });
}

export async function writeNotification(db: Db, orderId: string, type: string, key = `com.example.${type}:${orderId}`) {
  await db.insert(notifications).values({ key, orderId, userId: "u-1", type: `com.example.${type}`, subject: type, body: type, status: "sent", createdAt: at, sentAt: at });
}

/** Paid, reserved, shipped: charged in full, the reservation's units gone from the shelf. */
export async function shippedStory(db: Db, story: Story) {
  await writeOrder(db, story, "shipped");
  await writeTimeline(db, story.orderId, ["order.created", "payment.completed", "stock.reserved", "shipment.created"]);
  await writeCharge(db, story);
  await writeReservation(db, story, "shipped");
  await writeShipment(db, story.orderId);
  for (const type of ["order.created", "payment.completed", "stock.reserved", "shipment.created"]) await writeNotification(db, story.orderId, type);
}

/** The card declined: cancelled, nothing charged, nothing reserved. */
export async function declinedStory(db: Db, story: Story) {
  await writeOrder(db, story, "cancelled", "payment_failed");
  await writeTimeline(db, story.orderId, ["order.created", "payment.failed"]);
  await writeCharge(db, story, "declined");
}

/** Paid, no stock: refunded in full, then cancelled. */
export async function outOfStockStory(db: Db, story: Story) {
  await writeOrder(db, story, "cancelled", "out_of_stock");
  await writeTimeline(db, story.orderId, ["order.created", "payment.completed", "stock.insufficient", "payment.refunded"]);
  await writeCharge(db, story);
  await writeRefund(db, story.orderId, story.quantity * unitPrice);
}

export async function writeRefusal(db: Db, orderId: string) {
  await db.insert(refusals).values({ orderId, userId: "u-1", reservationId: `r-${orderId}`, reason: "reservation_expired", createdAt: at });
}

/** The gateway never said what became of the charge: a person must look; charged or not, never in part. */
export async function unresolvedStory(db: Db, story: Story) {
  await writeOrder(db, story, "needs_attention", "charge_unresolved");
  await writeTimeline(db, story.orderId, ["order.created", "payment.escalated"]);
  await writeCharge(db, story);
}

/** Reserved, then its time ran out: shipping refused it, the stock went back, the money too. */
export async function expiredStory(db: Db, story: Story) {
  await writeOrder(db, story, "cancelled", "reservation_expired");
  await writeTimeline(db, story.orderId, ["order.created", "payment.completed", "stock.reserved", "stock.released", "payment.refunded"]);
  await writeCharge(db, story);
  await writeReservation(db, story, "expired");
  await writeRefusal(db, story.orderId);
  await writeRefund(db, story.orderId, story.quantity * unitPrice);
}

/** Paid, no stock, and the refund kept failing: a person must give the money back. */
export async function refundFailedStory(db: Db, story: Story) {
  await writeOrder(db, story, "needs_attention", "refund_failed");
  await writeTimeline(db, story.orderId, ["order.created", "payment.completed", "stock.insufficient", "payment.escalated"]);
  await writeCharge(db, story);
}
