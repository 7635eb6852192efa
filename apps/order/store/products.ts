import { eq } from "drizzle-orm";
import { anyOf, type Executor } from "../../../lib/db/index.ts";
import type { CatalogueEntry } from "../domain/pricing.ts";
import { products } from "./schema.ts";

export type ProductRow = typeof products.$inferSelect;

export async function findProduct(db: Executor, productId: string): Promise<ProductRow | undefined> {
  const [row] = await db.select().from(products).where(eq(products.productId, productId));
  return row;
}

/** The catalogue's entries of the products an order names (those it has). */
export async function catalogueFor(db: Executor, productIds: readonly string[]): Promise<CatalogueEntry[]> {
  return db
    .select({ productId: products.productId, unitPrice: products.unitPrice, currency: products.currency })
    .from(products)
    .where(anyOf(products.productId, [...new Set(productIds)]));
}

/** Sets a product's name and price (staff): a new product, or a new price for the next orders. */
export async function saveProduct(db: Executor, row: ProductRow): Promise<ProductRow> {
  const { productId, ...change } = row;
  const [saved] = await db.insert(products).values(row).onConflictDoUpdate({ target: products.productId, set: change }).returning();
  return saved!;
}
