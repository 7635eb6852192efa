import { describe, expect, test } from "bun:test";
import type { DomainEvent } from "../../../lib/events/index.ts";
import { evolve, type OrderState } from "./order-status.ts";

const event = (type: string, data: Record<string, unknown> = {}) => ({ type, data }) as unknown as DomainEvent;
const paid = event("com.example.payment.completed");
const failed = event("com.example.payment.failed");
const reserved = event("com.example.stock.reserved");
const shipped = event("com.example.shipment.created");
const refunded = event("com.example.payment.refunded", { reason: "out_of_stock" });
const insufficient = event("com.example.stock.insufficient");

function run(events: DomainEvent[], start: OrderState = { status: "pending" }): OrderState {
  return events.reduce((state, e) => evolve(state, e) ?? state, start);
}

describe("order status", () => {
  test("given pending, the happy path ends shipped", () => {
    expect(run([paid, reserved, shipped])).toEqual({ status: "shipped" });
  });
  test("a declined payment cancels with payment_failed", () => {
    expect(run([failed])).toEqual({ status: "cancelled", reason: "payment_failed" });
  });
  test("a shortage cancels with out_of_stock only once the refund is done", () => {
    expect(run([paid, insufficient])).toEqual({ status: "paid" });
    expect(run([paid, insufficient, refunded])).toEqual({ status: "cancelled", reason: "out_of_stock" });
  });
  test("an expired reservation cancels with reservation_expired once the refund is done", () => {
    const released = event("com.example.stock.released");
    const refundedAfterExpiry = event("com.example.payment.refunded", { reason: "reservation_expired" });
    expect(run([paid, reserved, released])).toEqual({ status: "reserved" });
    expect(run([paid, reserved, released, refundedAfterExpiry])).toEqual({ status: "cancelled", reason: "reservation_expired" });
  });
  test("a late event never moves an order backwards", () => {
    expect(run([reserved, paid])).toEqual({ status: "reserved" });
    expect(run([shipped, paid, reserved])).toEqual({ status: "shipped" });
  });
  test("a terminal order never moves", () => {
    expect(evolve({ status: "cancelled", reason: "payment_failed" }, paid)).toBeUndefined();
    expect(evolve({ status: "shipped" }, refunded)).toBeUndefined();
  });
  test("a duplicate changes nothing", () => {
    expect(evolve({ status: "paid" }, paid)).toBeUndefined();
  });
});
