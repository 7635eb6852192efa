import { describe, test } from "bun:test";
import { deciderSpec, orderBody, testTime } from "../../../lib/testing/index.ts";
import { orderDecider } from "./order.ts";
import { maxOrderTotal, type OrderRequest, type PlaceOrderCommand } from "./place-order.ts";

const { userId, ...request }: { userId: string } & OrderRequest = orderBody([
  { productId: "sku-1", quantity: 2, unitPrice: 1500 },
  { productId: "sku-2", quantity: 1, unitPrice: 800 },
]);
const place = (order: OrderRequest = request): PlaceOrderCommand => ({ type: "PlaceOrder", orderId: "o-1", userId, now: testTime, order });
const oneItemTotalling = (total: number): OrderRequest => ({ ...request, items: [{ productId: "sku-1", quantity: 1, unitPrice: total }] });

const created = (order: OrderRequest, totalAmount: number) => [
  { type: "com.example.order.created" as const, data: { orderId: "o-1", userId, totalAmount, ...order }, at: testTime },
];

const spec = deciderSpec(orderDecider);

describe("placing an order", () => {
  test("emits order.created with the total computed from the items", () => {
    spec.given([]).when(place()).then(created(request, 3800));
  });

  test("leaves the order pending", () => {
    spec.given([]).when(place()).thenState({ status: "pending", orderId: "o-1", userId, reason: null });
  });

  test("accepts a total of exactly the cap", () => {
    const atTheCap = oneItemTotalling(maxOrderTotal);
    spec.given([]).when(place(atTheCap)).then(created(atTheCap, maxOrderTotal));
  });

  test("refuses a total above the cap: one price over it, or many under it that add up", () => {
    spec.given([]).when(place(oneItemTotalling(maxOrderTotal + 1))).thenRejects("order.total_above_cap");
    const many = { ...request, items: Array.from({ length: 20 }, (_, i) => ({ productId: `sku-${i}`, quantity: 10_000, unitPrice: 100_000 })) };
    spec.given([]).when(place(many)).thenRejects("order.total_above_cap");
  });

  test("refuses to place an order that exists", () => {
    spec.given(created(request, 3800)).when(place()).thenRejects("order.already_placed");
  });
});
