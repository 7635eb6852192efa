import { describe, test } from "bun:test";
import { deciderSpec, orderBody, testTime } from "../../../lib/testing/index.ts";
import { orderDecider } from "./order.ts";
import { maxOrderTotal, type OrderRequest, type PlaceOrderCommand } from "./place-order.ts";
import type { CatalogueEntry, PricedLine } from "./pricing.ts";

const userId = "u-1";
const catalogue: CatalogueEntry[] = [
  { productId: "sku-1", unitPrice: 1500, currency: "JPY" },
  { productId: "sku-2", unitPrice: 800, currency: "JPY" },
];
const request: OrderRequest = orderBody([
  { productId: "sku-1", quantity: 2 },
  { productId: "sku-2", quantity: 1 },
]);
const place = (order: OrderRequest = request, entries: CatalogueEntry[] = catalogue): PlaceOrderCommand => ({
  type: "PlaceOrder",
  orderId: "o-1",
  userId,
  now: testTime,
  order,
  catalogue: entries,
});
const created = (order: OrderRequest, items: PricedLine[], totalAmount: number) => [
  { type: "com.example.order.created" as const, data: { ...order, orderId: "o-1", userId, totalAmount, items }, at: testTime },
];
const pricedRequest: PricedLine[] = [
  { productId: "sku-1", quantity: 2, unitPrice: 1500 },
  { productId: "sku-2", quantity: 1, unitPrice: 800 },
];

const spec = deciderSpec(orderDecider);

describe("placing an order", () => {
  test("emits order.created with every line priced from the catalogue and the total computed from them", () => {
    spec.given([]).when(place()).then(created(request, pricedRequest, 3800));
  });

  test("the customer's own id is the token's, whatever else the request carries", () => {
    const smuggled = { ...request, userId: "someone-else" } as OrderRequest;
    spec.given([]).when(place(smuggled)).then(created(smuggled, pricedRequest, 3800));
  });

  test("leaves the order pending", () => {
    spec.given([]).when(place()).thenState({ status: "pending", orderId: "o-1", userId, reason: null });
  });

  test("accepts a total of exactly the cap", () => {
    const atTheCap = orderBody([{ productId: "sku-cap", quantity: 1 }]);
    const entries = [{ productId: "sku-cap", unitPrice: maxOrderTotal, currency: "JPY" }];
    spec.given([]).when(place(atTheCap, entries)).then(created(atTheCap, [{ productId: "sku-cap", quantity: 1, unitPrice: maxOrderTotal }], maxOrderTotal));
  });

  test("refuses a total above the cap: many lines under it that add up", () => {
    const many = orderBody(Array.from({ length: 20 }, (_, i) => ({ productId: `sku-${i}`, quantity: 10_000 })));
    const entries = Array.from({ length: 20 }, (_, i) => ({ productId: `sku-${i}`, unitPrice: 100_000, currency: "JPY" }));
    spec.given([]).when(place(many, entries)).thenRejects("order.total_above_cap");
  });

  test("refuses to place an order that exists", () => {
    spec.given(created(request, pricedRequest, 3800)).when(place()).thenRejects("order.already_placed");
  });
});

describe("pricing an order: the catalogue is the only source of prices", () => {
  test("a unitPrice sent that is the catalogue's is accepted", () => {
    const agreed = orderBody([{ productId: "sku-1", quantity: 2, unitPrice: 1500 }]);
    spec.given([]).when(place(agreed)).then(created(agreed, [{ productId: "sku-1", quantity: 2, unitPrice: 1500 }], 3000));
  });

  test("a unitPrice of 0 is not a price: price_changed, nothing emitted", () => {
    spec.given([]).when(place(orderBody([{ productId: "sku-1", quantity: 3, unitPrice: 0 }]))).thenRejects("order.price_changed");
  });

  test("an old price is refused too, even when it is higher", () => {
    spec.given([]).when(place(orderBody([{ productId: "sku-2", quantity: 1, unitPrice: 900 }]))).thenRejects("order.price_changed");
  });

  test("a product the catalogue does not have is refused", () => {
    spec.given([]).when(place(orderBody([{ productId: "sku-nowhere", quantity: 1 }]))).thenRejects("order.unknown_product");
  });

  test("a product sold in another currency than the order's is refused", () => {
    const entries = [{ productId: "sku-1", unitPrice: 10, currency: "USD" }];
    spec.given([]).when(place(orderBody([{ productId: "sku-1", quantity: 1 }]), entries)).thenRejects("order.currency_mismatch");
  });
});
