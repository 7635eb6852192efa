import { products } from "../inventory/store/schema.ts";
import type { Db } from "../../lib/db/index.ts";

/** A few products to order on a fresh install. Existing stock is never overwritten. */
export const demoProducts = [
  { productId: "tea-matcha-100g", available: 50, unitPrice: 1200 },
  { productId: "mug-arita", available: 10, unitPrice: 3400 },
  { productId: "furoshiki-large", available: 2, unitPrice: 2800 },
] as const;

export async function seedDemoProducts(db: Db, now: Date): Promise<void> {
  await db
    .insert(products)
    .values(demoProducts.map(({ productId, available }) => ({ productId, available, updatedAt: now })))
    .onConflictDoNothing();
}
