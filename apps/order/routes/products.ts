import { Hono } from "hono";
import * as v from "valibot";
import { AppError } from "../../../lib/errors/index.ts";
import { currency, id, line, money } from "../../../lib/events/index.ts";
import { authenticated, jsonBody, params, staffOnly } from "../../../lib/http/index.ts";
import type { OrderDeps } from "../deps.ts";
import { findProduct, type ProductRow, saveProduct } from "../store/products.ts";

const productPath = v.object({ productId: id });
const productBody = v.object({ name: line(200), unitPrice: money, currency });

/**
 * The catalogue: staff set a product's name and price; anyone may read it (it changes nothing,
 * and a shop shows its prices). A new price holds for orders placed after it.
 */
export function productRoutes(deps: OrderDeps): Hono {
  const app = new Hono();

  app.put("/products/:productId", authenticated(deps.security.verifyToken), staffOnly, params(productPath), jsonBody(productBody), async (c) => {
    const { productId } = c.req.valid("param");
    const saved = await saveProduct(deps.db, { productId, ...c.req.valid("json"), updatedAt: deps.clock.now() });
    return c.json(viewOf(saved));
  });

  app.get("/products/:productId", params(productPath), async (c) => {
    const { productId } = c.req.valid("param");
    const product = await findProduct(deps.db, productId);
    if (!product) throw new AppError("product.not_found", `no product ${productId}`, { status: 404 });
    return c.json(viewOf(product));
  });

  return app;
}

function viewOf({ productId, name, unitPrice, currency, updatedAt }: ProductRow) {
  return { productId, name, unitPrice, currency, updatedAt: updatedAt.toISOString() };
}
