import { isRejection, type Rejection } from "../../../lib/domain/index.ts";
import { type DataOf, maxAmount } from "../../../lib/events/index.ts";
import type { OrderCreated, OrderState } from "./order.ts";
import { type CatalogueEntry, priceLines, type PricingRefusal, type RequestedLine } from "./pricing.ts";

/** The most one order may total (minor units): amounts are stored in 32-bit columns. */
export const maxOrderTotal = maxAmount;

type CreatedData = DataOf<"com.example.order.created">;

/** What the customer asks for: lines whose prices are claims at most; the server prices them. */
export type OrderRequest = Omit<CreatedData, "orderId" | "userId" | "totalAmount" | "items"> & { items: RequestedLine[] };

/**
 * An order to place. Its id, its owner (the token's `sub`, never the body) and the time are given
 * with it, and so is the catalogue's entry of each product it names (loaded by the handler).
 */
export type PlaceOrderCommand = { type: "PlaceOrder"; orderId: string; userId: string; now: Date; order: OrderRequest; catalogue: readonly CatalogueEntry[] };

export type PlaceOrderRefusal = PricingRefusal | (Rejection & { rejected: "order.total_above_cap" | "order.already_placed" });

const refuse = <const C extends string>(rejected: C, reason: string) => ({ rejected, reason });

export function orderTotal(items: ReadonlyArray<{ quantity: number; unitPrice: number }>): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

/**
 * A new order, pending, every line priced from the catalogue and the total computed here: nothing
 * the customer says about money is taken as said. One order.created.
 */
export function decidePlaceOrder(command: PlaceOrderCommand, state: OrderState): [OrderCreated] | PlaceOrderRefusal {
  const { orderId, userId, now, order, catalogue } = command;
  if (state.status !== "none") return refuse("order.already_placed", `order ${orderId} exists`);
  const items = priceLines(order.items, order.currency, catalogue);
  if (isRejection(items)) return items;
  const totalAmount = orderTotal(items);
  if (totalAmount > maxOrderTotal) return refuse("order.total_above_cap", `the order total must not exceed ${maxOrderTotal}`);
  return [{ type: "com.example.order.created", data: { ...order, orderId, userId, totalAmount, items }, at: now }];
}
