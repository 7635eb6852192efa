import { eq, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import type { ShipmentCreated, ShipmentRefused, ShipmentState } from "../domain/shipment.ts";
import { refusals, shipments } from "./schema.ts";

/**
 * The order's state, with the order held until the transaction ends: a shipment and a refusal live
 * in two tables, so the lock, not a constraint, keeps an order from having both. A second delivery
 * for the order (another event id, or the expiry racing the reservation) waits, then finds the first's.
 */
export async function loadShipmentState(db: Executor, orderId: string): Promise<ShipmentState> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`shipping:order:${orderId}`}))`);
  const [shipment] = await db.select({ id: shipments.id }).from(shipments).where(eq(shipments.orderId, orderId));
  if (shipment) return { status: "shipped", shipmentId: shipment.id };
  const [refusal] = await db.select({ orderId: refusals.orderId }).from(refusals).where(eq(refusals.orderId, orderId));
  return refusal ? { status: "refused" } : { status: "none" };
}

/** Inserts the shipment unless the order has one (unique order_id: the guard against a concurrent delivery). */
export async function insertShipment(db: Executor, { data, reservationId, at }: ShipmentCreated): Promise<boolean> {
  const { shipmentId: id, orderId, userId, carrier, trackingNumber, shippingAddress } = data;
  const inserted = await db
    .insert(shipments)
    .values({ id, orderId, userId, reservationId, carrier, trackingNumber, shippingAddress, createdAt: at })
    .onConflictDoNothing({ target: shipments.orderId })
    .returning({ id: shipments.id });
  return inserted.length === 1;
}

/** Records that the order will never ship, unless it was recorded already. */
export async function insertRefusal(db: Executor, { data, at }: ShipmentRefused): Promise<boolean> {
  const { orderId, userId, reservationId, reason } = data;
  const inserted = await db.insert(refusals).values({ orderId, userId, reservationId, reason, createdAt: at }).onConflictDoNothing().returning({ orderId: refusals.orderId });
  return inserted.length === 1;
}

export async function shipmentsOf(db: Executor, orderId: string) {
  return db.select().from(shipments).where(eq(shipments.orderId, orderId));
}
