import { asc, eq, sql } from "drizzle-orm";
import { anyOf, type Executor, rowsOf } from "../../../lib/db/index.ts";
import type { Stock } from "../domain/state.ts";
import { products } from "./schema.ts";

export async function findProduct(db: Executor, productId: string) {
  const [row] = await db.select().from(products).where(eq(products.productId, productId));
  return row;
}

/**
 * The stock of these products, locked until the transaction ends. Always locked in product order,
 * so two transactions that want the same products queue instead of deadlocking.
 */
export async function lockStock(db: Executor, productIds: readonly string[]): Promise<Stock[]> {
  if (productIds.length === 0) return [];
  return db
    .select({ productId: products.productId, warehouseId: products.warehouseId, available: products.available, reserved: products.reserved })
    .from(products)
    .where(anyOf(products.productId, [...new Set(productIds)]))
    .orderBy(asc(products.productId))
    .for("update");
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

/*
 * The writes below re-check in SQL the rule the decision relied on and say whether it held
 * (false: the row did not match). The decision was made on locked rows, so a false is a bug or a
 * write that went around the locks; the caller fails the transaction.
 */

/**
 * Net change of one product's counters over several writes, with the least stock those writes
 * need to find on the row for each of their own guards to hold when applied one after another
 * (undefined: no write of that kind). See planStockWrites in write-events.ts.
 */
export type StockChange = { productId: string; availableDelta: number; reservedDelta: number; minFree?: number; minReserved?: number };

/**
 * Applies several products' changes in ONE statement, each row only if its guards hold (free
 * stock ≥ minFree, reserved ≥ minReserved). Returns the products it changed; a missing one is a row
 * whose guard failed or that does not exist, and the caller fails the transaction.
 */
export async function applyStockChanges(db: Executor, changes: readonly StockChange[]): Promise<Set<string>> {
  if (changes.length === 0) return new Set();
  // Every caller locked these rows already (lockStock, in product order); sorted only so that a batch is one and the same statement.
  const rows = [...changes]
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
    .map((c) => sql`(${c.productId}::text, ${c.availableDelta}::integer, ${c.reservedDelta}::integer, ${c.minFree ?? null}::integer, ${c.minReserved ?? null}::integer)`);
  const column = (of: { name: string }) => sql.identifier(of.name);
  const changed = await db.execute(sql`
    update ${products} set
      ${column(products.available)} = ${products.available} + change.available_delta,
      ${column(products.reserved)} = ${products.reserved} + change.reserved_delta
    from (values ${sql.join(rows, sql`, `)})
      as change(product_id, available_delta, reserved_delta, min_free, min_reserved)
    where ${products.productId} = change.product_id
      and (change.min_free is null or ${products.available} - ${products.reserved} >= change.min_free)
      and (change.min_reserved is null or ${products.reserved} >= change.min_reserved)
    returning ${products.productId} as product_id`);
  return new Set(rowsOf<{ product_id: string }>(changed).map((row) => row.product_id));
}
