import { eq } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import type { ShipmentCreated, ShipmentState } from "../domain/shipment.ts";
import { shipments } from "./schema.ts";

export async function loadShipmentState(db: Executor, orderId: string): Promise<ShipmentState> {
  const [row] = await db.select({ id: shipments.id }).from(shipments).where(eq(shipments.orderId, orderId));
  return row ? { status: "shipped", shipmentId: row.id } : { status: "none" };
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

export async function shipmentsOf(db: Executor, orderId: string) {
  return db.select().from(shipments).where(eq(shipments.orderId, orderId));
}
