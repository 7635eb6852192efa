import { describe, expect, test } from "bun:test";
import { problemFields, problemOf } from "../../lib/testing/index.ts";
import { orderApi } from "./api-world.ts";

const api = orderApi();
const tea = { name: "Matcha 100 g", unitPrice: 1200, currency: "JPY" };

describe("PUT /products/:id (staff) and GET /products/:id (anyone)", () => {
  test("staff set a price; anyone reads it without a token; a new price replaces the old", async () => {
    const put = await api.putProduct("tea", tea, "staff-1", "staff");
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ productId: "tea", ...tea });
    expect((await api.putProduct("tea", { ...tea, unitPrice: 1300 }, "staff-1", "staff")).status).toBe(200);
    const read = await api.request("/products/tea");
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ productId: "tea", ...tea, unitPrice: 1300, updatedAt: api.clock.now().toISOString() });
  });

  test("a customer setting a price → 403; without a token → 401; the price is unchanged", async () => {
    await api.putProduct("mug", { ...tea, name: "Arita mug", unitPrice: 3400 }, "staff-1", "staff");
    const customer = await api.putProduct("mug", { ...tea, unitPrice: 0 }, "u-1");
    expect(customer.status).toBe(403);
    expect((await problemOf(customer)).code).toBe("auth.forbidden");
    expect((await api.putProduct("mug", { ...tea, unitPrice: 0 })).status).toBe(401);
    expect(await (await api.request("/products/mug")).json()).toMatchObject({ unitPrice: 3400 });
  });

  test.each([
    ["a negative price", { ...tea, unitPrice: -1 }, "unitPrice"],
    ["a fractional price", { ...tea, unitPrice: 1.5 }, "unitPrice"],
    ["no name", { unitPrice: 1, currency: "JPY" }, "name"],
    ["a control character in the name", { ...tea, name: "tea\u0007" }, "name"],
    ["a currency that is not a code", { ...tea, currency: "yen" }, "currency"],
  ])("%s → 400 naming it, nothing stored", async (_name, body, field) => {
    expect(await problemFields(await api.putProduct("sku-invalid", body, "staff-1", "staff"), 400)).toContain(field);
    expect((await api.request("/products/sku-invalid")).status).toBe(404);
  });

  test("an unknown product → 404 problem", async () => {
    expect((await problemOf(await api.request("/products/nowhere"))).code).toBe("product.not_found");
  });
});
