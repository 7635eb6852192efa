import { waitFor, bearerFor, orderBody } from "../../lib/testing/index.ts";
import type { Cluster } from "../harness/cluster.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { productIds } from "../harness/load.ts";
import type { Scenario, ScenarioContext } from "../harness/scenario.ts";

const holdKey = 74_470_001;
const eventTopics = ["order-events", "payment-events", "inventory-events", "shipment-events"];

/**
 * The relay publishes by row state, not by a high-water mark: an outbox row whose transaction
 * commits late (its id taken long before) must still be published. A trigger on the order outbox
 * holds the transactions of a few orders open, right after their outbox row was inserted, while
 * later orders commit and are published; meanwhile the relay is killed (-9) and restarted. Then
 * the held transactions commit: their events must go out, and nothing may be skipped.
 */
export const relayOpenTransaction: Scenario = {
  name: "relay-open-transaction",
  title: "a relay crash, and a transaction held open while later ones commit",
  fault: "order transactions held open after inserting their outbox row (a trigger waits on an advisory lock the harness holds) while later orders commit; kill -9 of the relay meanwhile",
  faults: ["transaction held open", "relay kill -9"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 150, rate: 8, held: 3, kills: 2 } : { orders: 600, rate: 10, held: 3, kills: 4 };
    const cluster = await ctx.startCluster({});
    await installHold(cluster);
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    await load.atLeast(size.orders / 5);

    const holder = await cluster.state.sql.reserve();
    await holder`select pg_advisory_lock(${holdKey})`;
    const heldAt = Date.now();
    // Each held transaction keeps a database connection (the pool has 10) and, for a second, one of
    // the order API's two writers (apps/order/routes/place-order.ts): then the writer goes on
    // without it, so later orders keep committing while these stay open.
    const held = Array.from({ length: size.held }, (_, i) => placeHeld(cluster, i));
    for (const one of held) one.catch(() => {}); // awaited below; a run that fails first must not leave it unhandled
    const waiting = await waitFor(async () => {
      const [row] = await cluster.state.sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`;
      return row!.n >= size.held ? row!.n : undefined;
    }, { timeoutMs: 60_000, what: "the held orders' transactions to wait on the lock" });
    const publishedAtHold = await published(cluster);
    for (let k = 0; k < size.kills; k++) {
      // Each kill after the relay published more of the later orders.
      const mark = await published(cluster);
      await waitFor(async () => (await published(cluster)).count >= mark.count + 10, { timeoutMs: 120_000, what: "the relay to publish later orders" });
      const killed = await cluster.children.killAndRestart("relay");
      ctx.fault("relay kill -9", `pid ${killed.killedPid} ended by ${killed.signal} while ${size.held} transactions were held open; pid ${killed.newPid} healthy after ${killed.downMs} ms`);
    }
    const publishedAtRelease = await published(cluster);
    await holder`select pg_advisory_unlock(${holdKey})`;
    holder.release();
    const heldIds = await Promise.all(held);
    const rows = await cluster.state.sql`select id::int as id from orders.outbox where event->'data'->>'userId' like 'held-%' order by id`;
    ctx.fault("transaction held open", `${waiting} transactions waited ${((Date.now() - heldAt) / 1000).toFixed(1)} s holding outbox ids ${rows.map((r) => r.id).join(", ")}; ` +
      `meanwhile ${publishedAtRelease.count - publishedAtHold.count} later rows were published, up to id ${publishedAtRelease.maxId}`, size.held);
    ctx.check("later rows were published while the held ones were open", rows.length === size.held && rows.every((r) => r.id < publishedAtRelease.maxId),
      `held ids ${rows.map((r) => r.id).join(", ")} < highest id published before their commit (${publishedAtRelease.maxId})`);

    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    await checkNothingSkipped(ctx, cluster, heldIds);
    return cluster;
  },
};

/** A trigger that makes an order of a `held-*` customer wait, inside its transaction, on the harness's lock. */
async function installHold(cluster: Cluster) {
  await cluster.state.sql.unsafe(`
    create function public.faults_hold() returns trigger language plpgsql as $$
    begin perform pg_advisory_xact_lock(${holdKey}); return new; end $$;
    create trigger faults_hold after insert on orders.outbox for each row
      when (new.event->'data'->>'userId' like 'held-%') execute function public.faults_hold();`);
}

/** One order of a held customer: the POST answers only once the harness lets its transaction go. */
async function placeHeld(cluster: Cluster, i: number): Promise<string> {
  const headers = { "content-type": "application/json", authorization: await bearerFor(`held-${i}`), "idempotency-key": `held-${i}` };
  const body = JSON.stringify(orderBody([{ productId: productIds(1)[0]!, quantity: 1 }]));
  const response = await fetch(`${cluster.url("order")}/orders`, { method: "POST", headers, body });
  if (response.status !== 202) throw new Error(`held order ${i}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function published(cluster: Cluster): Promise<{ count: number; maxId: number }> {
  const [row] = await cluster.state.sql`select count(*)::int as count, coalesce(max(id), 0)::int as max from orders.outbox where published_at is not null`;
  return { count: row!.count, maxId: row!.max };
}

/** Every outbox row reached its topic (at least once: a relay killed mid-batch publishes it again). */
async function checkNothingSkipped(ctx: ScenarioContext, cluster: Cluster, heldIds: string[]) {
  const counts = await cluster.state.counts();
  let records = 0;
  for (const topic of eventTopics) records += await cluster.lag.records(topic);
  const heldDone = await cluster.state.sql`select count(*)::int as n from orders.orders where id in ${cluster.state.sql(heldIds)} and status in ('shipped', 'cancelled', 'needs_attention')`;
  ctx.check("no event skipped", records >= counts.outboxRows && counts.unpublished === 0 && heldDone[0]!.n === heldIds.length,
    `${records} records on the topics for ${counts.outboxRows} outbox rows (${records - counts.outboxRows} published twice after a relay crash), ${counts.unpublished} unpublished; ${heldDone[0]!.n} of ${heldIds.length} held orders settled`);
}
