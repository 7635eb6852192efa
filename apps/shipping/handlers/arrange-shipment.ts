import { outbox, processedEvents, shipments } from "../store/schema.ts";
import { type EventOf, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/enqueue.ts";
import type { ShippingDeps } from "../deps.ts";

/** stock.reserved → one shipment per order, and shipment.created, in one transaction. */
export async function arrangeShipment(deps: ShippingDeps, event: EventOf<"com.example.stock.reserved">): Promise<Outcome> {
  const { orderId, userId, reservationId, shippingAddress } = event.data;
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const now = deps.clock.now();
    if (new Date(event.data.expiresAt) <= now) {
      // Too late: inventory gives the stock back, payment refunds and the order is cancelled.
      console.warn(`shipping: reservation ${reservationId} of order ${orderId} expired at ${event.data.expiresAt}; not shipped`);
      return "processed";
    }
    const shipment = {
      id: `shp_${deps.ids.next()}`,
      orderId,
      reservationId,
      carrier: "yamato",
      trackingNumber: trackingNumberFor(orderId),
      shippingAddress,
      createdAt: now,
    };
    const [created] = await tx.insert(shipments).values(shipment).onConflictDoNothing({ target: shipments.orderId }).returning();
    if (!created) return "duplicate";
    const { id: shipmentId, carrier, trackingNumber } = created;
    await enqueue(tx, outbox, [
      newEvent("com.example.shipment.created", { shipmentId, orderId, userId, carrier, trackingNumber, shippingAddress }, {
        id: deps.ids.next(),
        time: now,
        cause: event,
      }),
    ]);
    return "processed";
  });
}

/** A 12-digit number derived from the order: stable across retries, like a carrier's label. */
function trackingNumberFor(orderId: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(orderId).digest();
  return (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, "0");
}
