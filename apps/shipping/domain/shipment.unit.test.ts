import { describe, expect, test } from "bun:test";
import { dataFor, deciderSpec, eventFor, testAddress } from "../../../lib/testing/index.ts";
import { type ArrangeShipment, type SettleExpiry, type ShipmentCreated, type ShipmentRefused, shippingDecider, trackingNumberFor } from "./shipment.ts";

const orderId = "o-1";
const now = new Date("2026-11-25T10:00:00.000Z");
const reservedUntil = (expiresAt: Date): ArrangeShipment => ({
  type: "arrange-shipment",
  reservation: eventFor("com.example.stock.reserved", orderId, { data: { expiresAt: expiresAt.toISOString() } }),
  now,
  newId: "1",
});
const inTime = reservedUntil(new Date(now.getTime() + 30 * 60_000));
const expiry: SettleExpiry = { type: "settle-expiry", expiry: dataFor("com.example.stock.expired", orderId), now };

const created: ShipmentCreated = {
  type: "com.example.shipment.created",
  data: { shipmentId: "shp_1", orderId, userId: `user-of-${orderId}`, carrier: "yamato", trackingNumber: trackingNumberFor(orderId), shippingAddress: testAddress },
  reservationId: `res-${orderId}`,
  at: now,
};
const refused: ShipmentRefused = {
  type: "com.example.shipment.refused",
  data: { orderId, userId: `user-of-${orderId}`, reservationId: `res-${orderId}`, reason: "reservation_expired" },
  at: now,
};

const spec = deciderSpec(shippingDecider);

describe("shipping a reservation", () => {
  test("ships an order once: shipment.created with the carrier and the order's tracking number", () => {
    spec.given([]).when(inTime).then([created]);
    spec.given([]).when(inTime).thenState({ status: "shipped", shipmentId: "shp_1" });
  });

  test("nothing when the order is already shipped (another delivery of the reservation)", () => {
    spec.given([created]).when({ ...inTime, newId: "2" }).thenNothing();
    spec.given({ state: { status: "shipped", shipmentId: "shp_0" } }).when(inTime).thenNothing();
  });

  test("refuses a reservation that has expired, at its expiry and after, for good: shipment.refused", () => {
    spec.given([]).when(reservedUntil(now)).then([refused]);
    spec.given([]).when(reservedUntil(new Date(now.getTime() - 1))).then([refused]);
    spec.given([]).when(reservedUntil(now)).thenState({ status: "refused" });
  });

  test("the tracking number is 12 digits, derived from the order: the same on every retry", () => {
    // Pinned: shipments already labelled keep their numbers (sha256 of the orderId, mod 10^12).
    expect(trackingNumberFor(orderId)).toBe("121708123522");
    expect(trackingNumberFor("o-2")).not.toBe(trackingNumberFor(orderId));
  });
});

describe("shipping and expiry, decided in one place", () => {
  test("inventory asks about an order shipping never decided: refused, so the stock goes back", () => {
    spec.given([]).when(expiry).then([refused]);
  });

  test("an order shipped first stays shipped: the expiry changes nothing (its shipment.created commits the stock)", () => {
    spec.given([created]).when(expiry).thenNothing();
    spec.given([created]).when(expiry).thenState({ status: "shipped", shipmentId: "shp_1" });
  });

  test("an expiry that won means no shipment, even for a reservation still in time that arrives later", () => {
    spec.given([refused]).when(inTime).thenNothing();
    spec.given([refused]).when(expiry).thenNothing();
  });
});
