import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/types.ts";
import { products, reservations } from "./schema.ts";

export async function findProduct(db: Executor, productId: string) {
  const [row] = await db.select().from(products).where(eq(products.productId, productId));
  return row;
}

/** Sets the stock on hand; refuses to go below what is reserved (returns false). */
export async function setAvailable(db: Executor, productId: string, available: number, now: Date): Promise<boolean> {
  const rows = await db
    .insert(products)
    .values({ productId, available, updatedAt: now })
    .onConflictDoUpdate({ target: products.productId, set: { available, updatedAt: now }, setWhere: sql`${products.reserved} <= ${available}` })
    .returning({ id: products.productId });
  return rows.length === 1;
}

/**
 * Reserves `quantity` if that much is free. Unlike the seed's `available >= q`, free stock is
 * `available - reserved`, and the affected row tells whether it worked (the seed never read it).
 */
export async function reserve(db: Executor, productId: string, quantity: number) {
  const [row] = await db
    .update(products)
    .set({ reserved: sql`${products.reserved} + ${quantity}` })
    .where(and(eq(products.productId, productId), sql`${products.available} - ${products.reserved} >= ${quantity}`))
    .returning({ warehouseId: products.warehouseId });
  return row;
}

export async function insertReservation(db: Executor, row: typeof reservations.$inferInsert): Promise<void> {
  await db.insert(reservations).values(row);
}

/** The reserved units leave the warehouse: both counters drop, the check constraint still holds. */
export async function releaseReserved(db: Executor, productId: string, quantity: number, { shipped }: { shipped: boolean }) {
  await db
    .update(products)
    .set({
      reserved: sql`${products.reserved} - ${quantity}`,
      ...(shipped ? { available: sql`${products.available} - ${quantity}` } : {}),
    })
    .where(eq(products.productId, productId));
}

/** Takes units out of FREE stock (a shipment that arrived after its reservation expired). */
export async function takeFree(db: Executor, productId: string, quantity: number): Promise<boolean> {
  const rows = await db
    .update(products)
    .set({ available: sql`${products.available} - ${quantity}` })
    .where(and(eq(products.productId, productId), sql`${products.available} - ${products.reserved} >= ${quantity}`))
    .returning({ id: products.productId });
  return rows.length === 1;
}
