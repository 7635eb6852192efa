import type { Db } from "../../lib/db/index.ts";
import { products as stock } from "../inventory/store/schema.ts";
import { products as catalogue } from "../order/store/schema.ts";

/** A few products to order on a fresh install: stock in inventory, prices in order's catalogue. */
export const demoProducts = [
  { productId: "tea-matcha-100g", name: "Matcha, 100 g", available: 50, unitPrice: 1200 },
  { productId: "mug-arita", name: "Arita porcelain mug", available: 10, unitPrice: 3400 },
  { productId: "furoshiki-large", name: "Furoshiki, large", available: 2, unitPrice: 2800 },
] as const;

/** Existing stock and prices are never overwritten (staff may have changed them). */
export async function seedDemoProducts(db: Db, now: Date): Promise<void> {
  await db
    .insert(stock)
    .values(demoProducts.map(({ productId, available }) => ({ productId, available, updatedAt: now })))
    .onConflictDoNothing();
  await db
    .insert(catalogue)
    .values(demoProducts.map(({ productId, name, unitPrice }) => ({ productId, name, unitPrice, currency: "JPY", updatedAt: now })))
    .onConflictDoNothing();
}
