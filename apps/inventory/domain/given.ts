import { dataFor, testTime } from "../../../lib/testing/index.ts";
import type { ReserveStock } from "./reserve.ts";
import type { Line, Reservation, ReservationStatus, Stock } from "./state.ts";

/** Rows and inputs for the domain tests: each names only what it is about. */

export const now = testTime;
export const ttlMs = 30 * 60_000;
export const graceMs = 5 * 60_000;
export const at = (msFromNow: number) => new Date(now.getTime() + msFromNow);

export function stock(productId: string, available: number, reserved = 0): Stock {
  return { productId, warehouseId: "tokyo-1", available, reserved };
}

export function reservation(orderId: string, items: Line[], status: ReservationStatus = "reserved", expiresAt = at(ttlMs)): Reservation {
  return { id: `res-${orderId}`, orderId, userId: `user-of-${orderId}`, items: items.map((item) => ({ ...item, warehouseId: "tokyo-1" })), status, expiresAt };
}

export function reserveFor(orderId: string, items: Line[]): ReserveStock {
  const payment = dataFor("com.example.payment.completed", orderId, { items });
  return { type: "reserve-stock", payment, now, ttlMs, reservationId: `res-${orderId}` };
}

export const shipmentOf = (orderId: string) => ({ type: "commit-shipment", shipment: dataFor("com.example.shipment.created", orderId) }) as const;

export const expiryCheck = (orderId: string, when: Date, upSince?: Date) =>
  ({ type: "expire-reservation", orderId, now: when, graceMs, ...(upSince ? { upSince } : {}) }) as const;

export const refusalOf = (orderId: string) => ({ type: "release-refused", refusal: dataFor("com.example.shipment.refused", orderId) }) as const;
