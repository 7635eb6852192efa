import { eq, sql } from "drizzle-orm";
import { anyOf, type Executor, lockInKeyOrder, unnestRows } from "../../../lib/db/index.ts";
import type { ShipmentCreated, ShipmentRefused, ShipmentState } from "../domain/shipment.ts";
import { refusals, shipments } from "./schema.ts";

/**
 * The order's state, with the order held until the transaction ends: a shipment and a refusal live
 * in two tables, so the lock, not a constraint, keeps an order from having both. A second delivery
 * for the order (another event id, or the expiry racing the reservation) waits, then finds the first's.
 */
export async function loadShipmentState(db: Executor, orderId: string): Promise<ShipmentState> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${orderLockName(orderId)}))`);
  const [shipment] = await db.select({ id: shipments.id }).from(shipments).where(eq(shipments.orderId, orderId));
  if (shipment) return { status: "shipped", shipmentId: shipment.id };
  const [refusal] = await db.select({ orderId: refusals.orderId }).from(refusals).where(eq(refusals.orderId, orderId));
  return refusal ? { status: "refused" } : { status: "none" };
}

/** The advisory lock that holds an order (hashed by PostgreSQL's hashtext into the lock's key). */
const orderLockName = (orderId: string) => `shipping:order:${orderId}`;

/**
 * loadShipmentState for many orders at once, in two statements whatever their number: the orders'
 * locks, then their states. The locks are taken in the order of their keys, as every batch takes
 * them, so two batches never each hold an order the other waits for (ordering by key, not by order
 * id, stays true when two order ids hash to one key). The read is a statement of its own, after
 * the locks: its snapshot then sees what a holder we waited for committed.
 */
export async function loadShipmentStates(db: Executor, orderIds: string[]): Promise<Map<string, ShipmentState>> {
  const unique = [...new Set(orderIds)];
  const states = new Map<string, ShipmentState>(unique.map((orderId) => [orderId, { status: "none" }]));
  if (unique.length === 0) return states;
  await lockInKeyOrder(db, unique.map(orderLockName));
  const decided = await db
    .select({ orderId: shipments.orderId, shipmentId: sql<string | null>`${shipments.id}`.as("shipment_id") })
    .from(shipments)
    .where(anyOf(shipments.orderId, unique))
    .unionAll(db.select({ orderId: refusals.orderId, shipmentId: sql<string | null>`null`.as("shipment_id") }).from(refusals).where(anyOf(refusals.orderId, unique)));
  for (const { orderId, shipmentId } of decided) {
    // A shipment outranks a refusal, as loadShipmentState reads the shipment first (the lock keeps an order from having both).
    if (shipmentId !== null) states.set(orderId, { status: "shipped", shipmentId });
    else if (states.get(orderId)?.status === "none") states.set(orderId, { status: "refused" });
  }
  return states;
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

/**
 * insertShipment for many orders, in one statement: how many were inserted. Fewer than given means
 * an order had one already, which the caller must not take for a success.
 */
export async function insertShipments(db: Executor, decided: ShipmentCreated[]): Promise<number> {
  if (decided.length === 0) return 0;
  const rows = decided.map(({ data, reservationId, at }) => {
    const { shipmentId: id, orderId, userId, carrier, trackingNumber, shippingAddress } = data;
    return { id, orderId, userId, reservationId, carrier, trackingNumber, shippingAddress, createdAt: at };
  });
  const inserted = await db.insert(shipments).select(unnestRows(shipments, rows)).onConflictDoNothing({ target: shipments.orderId }).returning({ id: shipments.id });
  return inserted.length;
}

/** insertRefusal for many orders, in one statement: how many were inserted (fewer: some were recorded already). */
export async function insertRefusals(db: Executor, decided: ShipmentRefused[]): Promise<number> {
  if (decided.length === 0) return 0;
  const rows = decided.map(({ data: { orderId, userId, reservationId, reason }, at }) => ({ orderId, userId, reservationId, reason, createdAt: at }));
  const inserted = await db.insert(refusals).values(rows).onConflictDoNothing().returning({ orderId: refusals.orderId });
  return inserted.length;
}

export async function shipmentsOf(db: Executor, orderId: string) {
  return db.select().from(shipments).where(eq(shipments.orderId, orderId));
}
