import type { ProxyHandler } from "../harness/fault-proxy.ts";
import { passThrough } from "../harness/fault-proxy.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { countLines } from "../harness/logs.ts";
import type { Scenario } from "../harness/scenario.ts";

/** Reservations last 2 s here; inventory's sweeper acts 2 s past that (RESERVATION_GRACE_MS). */
const ttlMs = 2_000;
const graceMs = 2_000;
/**
 * Each push to shipping waits up to 1.5 TTL; a record also waits for the push before it on its
 * partition, so reservations reach shipping before, around and after their expiry, and
 * stock.reserved races inventory's stock.expired (or release) there.
 */
const shippingDelayMs = 1.5 * ttlMs;
/** Pushes to inventory (shipment.created among them) arrive up to this late, inside the grace. */
const inventoryDelayMs = graceMs / 2;

/**
 * Shipments race their reservations' expiry: a proxy delays each push to shipping by a random time
 * around the reservation's life, and each push to inventory (where shipment.created lands) by a
 * random time inside the grace, while the sweeper runs every 200 ms. Every order must end either
 * shipped (charged, stock gone, no refund) or cancelled reservation_expired (refunded, stock back),
 * never both.
 */
export const shipmentExpiryRace: Scenario = {
  name: "shipment-expiry-race",
  title: "a shipment racing its reservation's expiry",
  fault: `RESERVATION_TTL_MS=${ttlMs}, RESERVATION_GRACE_MS=${graceMs}, RESERVATION_SWEEP_MS=200; pushes to shipping delayed 0–${shippingDelayMs} ms, to inventory 0–${inventoryDelayMs} ms`,
  faults: ["shipped just before expiry", "expired before shipping"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 120, rate: 6 } : { orders: 400, rate: 8 };
    const delay = (maxMs: number): ProxyHandler => async (push, forward) => {
      await Bun.sleep(Math.floor(Math.random() * maxMs));
      return passThrough(push, forward);
    };
    const cluster = await ctx.startCluster({
      envOf: { inventory: { RESERVATION_TTL_MS: String(ttlMs), RESERVATION_GRACE_MS: String(graceMs), RESERVATION_SWEEP_MS: "200" } },
      proxies: { shipping: delay(shippingDelayMs), inventory: delay(inventoryDelayMs) },
    });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster, { stuckMs: 2 * (ttlMs + graceMs) });

    // How close each shipment came to its reservation's expiry, and how many orders lost the race.
    const [close] = await cluster.state.sql`
      select count(*) filter (where s.created_at > r.expires_at - interval '500 milliseconds')::int as near,
             count(*) filter (where s.created_at > r.expires_at)::int as late,
             count(*)::int as shipped
      from shipping.shipments s join inventory.reservations r on r.order_id = s.order_id`;
    const [lost] = await cluster.state.sql`select count(*)::int as n from orders.orders where reason = 'reservation_expired'`;
    const reservations = await cluster.state.sql`select status, count(*)::int as n from inventory.reservations group by 1 order by 1`;
    const refusals = countLines(cluster, "shipping", /reservation_expired|expired/);
    if (close!.near > 0) ctx.fault("shipped just before expiry", `${close!.near} of ${close!.shipped} shipments created less than 500 ms before their reservation's expiry or after it (${close!.late} after)`, close!.near);
    if (lost!.n > 0) ctx.fault("expired before shipping", `${lost!.n} orders cancelled reservation_expired; reservations: ${reservations.map((r) => `${r.n} ${r.status}`).join(", ")}; ${refusals} shipping log lines about expiry`, lost!.n);
    return cluster;
  },
};
