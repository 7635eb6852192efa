import { Hono } from "hono";
import * as v from "valibot";
import { AppError } from "../../../lib/errors/index.ts";
import { id, stockLevel } from "../../../lib/events/index.ts";
import { authenticated, jsonBody, params, staffOnly } from "../../../lib/http/index.ts";
import type { InventoryDeps } from "../deps.ts";
import { findProduct, setAvailable } from "../store/stock.ts";

const productPath = v.object({ productId: id });
const stockBody = v.object({ available: stockLevel });

export function inventoryRoutes(deps: InventoryDeps): Hono {
  const app = new Hono();

  // Setting stock is staff's (a customer could empty a shelf and cancel everyone's orders); reading it changes nothing.
  app.put("/inventory/:productId", authenticated(deps.security.verifyToken), staffOnly, params(productPath), jsonBody(stockBody), async (c) => {
    const { productId } = c.req.valid("param");
    const { available } = c.req.valid("json");
    if (!(await setAvailable(deps.db, productId, available, deps.clock.now()))) {
      const product = await findProduct(deps.db, productId);
      throw new AppError("inventory.below_reserved", `cannot set available below the ${product?.reserved} units reserved`, {
        status: 409,
        issues: [{ field: "available", message: `must be at least ${product?.reserved} (reserved)` }],
      });
    }
    return c.json(await view(deps, productId));
  });

  app.get("/inventory/:productId", async (c) => c.json(await view(deps, c.req.param("productId"))));

  return app;
}

async function view(deps: InventoryDeps, id: string) {
  const product = await findProduct(deps.db, id);
  if (!product) throw new AppError("inventory.not_found", `no product ${id}`, { status: 404 });
  return { productId: product.productId, available: product.available, reserved: product.reserved };
}
