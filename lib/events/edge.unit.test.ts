import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import type { ValidCloudEvent } from "../cloudevents/index.ts";
import { createServiceApp, eventWebhook, jsonBody, onErrorWith } from "../http/index.ts";
import { createMemoryLogger } from "../log/index.ts";
import { createMemoryIdempotencyStore } from "../idempotency/index.ts";
import { deliver, eventFor, modes, problemOf, signedForTest, testAddress, testSecurity, webhookUrl } from "../testing/index.ts";
import { currency } from "./currencies.ts";
import { id, paymentMethod, shippingAddress } from "./envelope.ts";
import { orderLines } from "./order.ts";

/**
 * Hostile text reaches the service only as an HTTP body or as CloudEvent data; both are refused
 * there (4xx, nothing applied) instead of failing in the database as a 500.
 */

const orderBody = v.object({ items: orderLines, currency, shippingAddress, payment: v.object({ method: paymentMethod, token: v.optional(id) }) });
const validOrder = { items: [{ productId: "sku-1", quantity: 1, unitPrice: 1000 }], currency: "JPY", shippingAddress: testAddress, payment: { method: "credit_card" } };

function bodyApp() {
  const app = createServiceApp("test", createMemoryLogger());
  app.post("/orders", jsonBody(orderBody), (c) => c.json({ ok: true }, 202));
  return app;
}

const postOrder = (body: unknown) =>
  bodyApp().request("/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("an HTTP body", () => {
  const hostile: Array<[string, unknown, string]> = [
    ["a lone surrogate in the city", { ...validOrder, shippingAddress: { ...testAddress, city: "千代田\ud800" } }, "shippingAddress.city"],
    ["a C1 control in line1", { ...validOrder, shippingAddress: { ...testAddress, line1: "u\u009b31mRED" } }, "shippingAddress.line1"],
    ["a bidi override in a productId", { ...validOrder, items: [{ ...validOrder.items[0], productId: "sku\u202e1" }] }, "items.0.productId"],
    ["a lone surrogate in the token", { ...validOrder, payment: { method: "credit_card", token: "\udc00" } }, "payment.token"],
    ["XXX as the currency", { ...validOrder, currency: "XXX" }, "currency"],
    ["a fractional price", { ...validOrder, items: [{ ...validOrder.items[0], unitPrice: 0.5 }] }, "items.0.unitPrice"],
    ["101 lines", { ...validOrder, items: Array.from({ length: 101 }, () => validOrder.items[0]) }, "items"],
  ];

  test("a valid body passes", async () => expect((await postOrder(validOrder)).status).toBe(202));

  test.each(hostile)("%s → 400 naming the field", async (_, body, field) => {
    const response = await postOrder(body);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toEqual([field]);
  });

  test("a huge number (1e999 is Infinity to JSON.parse) → 400", async () => {
    const raw = JSON.stringify(validOrder).replace('"unitPrice":1000', '"unitPrice":1e999');
    const response = await bodyApp().request("/orders", { method: "POST", headers: { "content-type": "application/json" }, body: raw });
    expect(response.status).toBe(400);
  });
});

describe("CloudEvent data and attributes at the webhook", () => {
  function webhook() {
    const applied: string[] = [];
    const app = eventWebhook({
      service: "shipping",
      subscribes: ["com.example.stock.reserved"],
      idempotency: createMemoryIdempotencyStore(),
      verify: testSecurity.verifyPush,
      handlers: { "com.example.stock.reserved": { handle: async (event) => (applied.push(event.id), "processed") } },
    });
    app.onError(onErrorWith(createMemoryLogger()));
    return { app, applied };
  }

  const reserved = eventFor("com.example.stock.reserved", "o-1");
  const withAddress = (address: object) => ({ ...reserved, data: { ...reserved.data, shippingAddress: address } }) as ValidCloudEvent;

  for (const mode of modes) {
    test(`${mode}: a lone surrogate or a bidi control in data → 422 naming the field, nothing applied`, async () => {
      for (const city of ["\ud800", "a\u202eb"]) {
        const { app, applied } = webhook();
        const response = await deliver(app, "shipping", withAddress({ ...testAddress, city }), mode);
        expect(response.status).toBe(422);
        const fields = (await problemOf(response)).errors?.map((issue) => issue.field.replace(/^\[0\]\./, ""));
        expect(fields).toEqual(["data.shippingAddress.city"]);
        expect(applied).toEqual([]);
      }
    });
  }

  test("a lone surrogate in an attribute is refused by the envelope → 400", async () => {
    const { app, applied } = webhook();
    const body = JSON.stringify({ ...reserved, correlationid: "o-1\ud800" });
    const request = new Request(webhookUrl("shipping"), { method: "POST", headers: { "content-type": "application/cloudevents+json" }, body });
    const response = await app.request(await signedForTest(request));
    expect(response.status).toBe(400);
    expect(applied).toEqual([]);
  });
});
