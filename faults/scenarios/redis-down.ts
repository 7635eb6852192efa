import { waitFor } from "../../lib/testing/index.ts";
import { services } from "../harness/cluster.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { countPerProcess, describeCounts } from "../harness/logs.ts";
import { startPrivateRedis } from "../harness/private-redis.ts";
import type { Scenario } from "../harness/scenario.ts";

/**
 * Redis (the idempotency fast path) dies under load and stays down while orders settle, then comes
 * back empty. The services must keep working on the database's constraints alone. On a Redis of
 * the scenario's own: the shared one serves other people.
 */
export const redisDown: Scenario = {
  name: "redis-down",
  title: "Redis down for a while, under load",
  fault: "kill -9 of Redis under load; down while orders keep settling; started again, empty",
  faults: ["Redis down"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 200, rate: 8 } : { orders: 800, rate: 10 };
    const redis = await startPrivateRedis(ctx.workDir);
    ctx.cleanup(() => redis.destroy());
    const cluster = await ctx.startCluster({ engines: { ...ctx.engines, redisUrl: redis.url } });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    await load.atLeast(size.orders / 4);
    const keys = await redis.command(["DBSIZE"]);
    const pid = redis.pid();
    const before = await cluster.state.counts();
    ctx.progress("Redis killed");
    const downAt = Date.now();
    await redis.kill();
    // Down until a good share of the run settled without it.
    const settledBefore = before.orders - before.open;
    const settledNow = async () => {
      const c = await cluster.state.counts();
      return c.orders - c.open;
    };
    await waitFor(async () => (await settledNow()) >= settledBefore + size.orders / 4 || load.finished(), { timeoutMs: 300_000, intervalMs: 500, what: "orders settling while Redis is down" });
    const settledDuring = (await settledNow()) - settledBefore;
    const warnings = countPerProcess(cluster, services, /idempotency store unreachable/);
    await redis.start();
    ctx.fault("Redis down", `redis-server pid ${pid} (${keys} keys) killed, down ${((Date.now() - downAt) / 1000).toFixed(1)} s, back empty as pid ${redis.pid()}; ` +
      `${settledDuring} orders settled meanwhile; fast-path warnings logged: ${describeCounts(warnings)}`);
    ctx.check("the services noticed the fast path was gone", Object.keys(warnings).length > 0 && settledDuring > 0, `warnings: ${describeCounts(warnings)}; ${settledDuring} orders settled while it was down`);
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    return cluster;
  },
};
