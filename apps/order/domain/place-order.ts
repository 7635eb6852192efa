import { type Rejection, reject } from "../../../lib/domain/index.ts";
import type { DataOf } from "../../../lib/events/index.ts";
import type { OrderCreated, OrderState } from "./order.ts";

/** The most one order may total (minor units): amounts are stored in 32-bit columns. */
export const maxOrderTotal = 1_000_000_000;

/** What the customer asks for; the order's id, its owner and the time are given with it. */
export type OrderRequest = Omit<DataOf<"com.example.order.created">, "orderId" | "userId" | "totalAmount">;

export type PlaceOrderCommand = { type: "PlaceOrder"; orderId: string; userId: string; now: Date; order: OrderRequest };

export function orderTotal(items: ReadonlyArray<{ quantity: number; unitPrice: number }>): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

/** A new order, pending, with its total computed here and never taken from the customer: one order.created. */
export function decidePlaceOrder(command: PlaceOrderCommand, state: OrderState): [OrderCreated] | Rejection {
  const { orderId, userId, now, order } = command;
  if (state.status !== "none") return reject("order.already_placed", `order ${orderId} exists`);
  const totalAmount = orderTotal(order.items);
  if (totalAmount > maxOrderTotal) return reject("order.total_above_cap", `the order total must not exceed ${maxOrderTotal}`);
  return [{ type: "com.example.order.created", data: { orderId, userId, totalAmount, ...order }, at: now }];
}
