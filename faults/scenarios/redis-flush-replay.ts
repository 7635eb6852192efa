import { waitFor } from "../../lib/testing/index.ts";
import { services } from "../harness/cluster.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { startPrivateRedis } from "../harness/private-redis.ts";
import type { Scenario } from "../harness/scenario.ts";
import type { Counts } from "../harness/state-probe.ts";

const effects = ["charges", "refunds", "reservations", "shipments", "notifications", "outboxRows"] as const;

/**
 * Redis loses every key (FLUSHALL), then every subscription is replayed from the beginning of the
 * log: each service receives everything again with no fast path to stop it. Idempotent handlers
 * must cause no new charge, refund, reservation, shipment, notification or event.
 */
export const redisFlushReplay: Scenario = {
  name: "redis-flush-replay",
  title: "Redis flushed, then every subscription replayed from the beginning",
  fault: "FLUSHALL on Redis after the flow settled, the dispatchers stopped, `bun run start replay <service> --from earliest` for every service, the dispatchers started again",
  faults: ["Redis flushed", "subscription replayed"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 150, rate: 10 } : { orders: 600, rate: 12 };
    const redis = await startPrivateRedis(ctx.workDir);
    ctx.cleanup(() => redis.destroy());
    const cluster = await ctx.startCluster({ engines: { ...ctx.engines, redisUrl: redis.url } });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("settling before the replay");
    await ctx.settle(cluster);
    const before = await cluster.state.counts();
    const sentBefore = await sentLines(cluster.workDir);

    const keys = await redis.command(["DBSIZE"]);
    await redis.command(["FLUSHALL"]);
    ctx.fault("Redis flushed", `FLUSHALL: DBSIZE ${keys} → ${await redis.command(["DBSIZE"])}`);
    ctx.progress("replaying every subscription from the earliest record");
    for (const dispatcher of cluster.children.alive("dispatcher")) await cluster.children.stop(dispatcher);
    for (const service of services) {
      const { code, output } = await cluster.children.run(["replay", service, "--from", "earliest"], { LOG_LEVEL: "warn" });
      if (code !== 0) throw new Error(`replay ${service} exited with ${code}: ${output.slice(-500)}`);
    }
    const { total: toRedeliver, perGroup } = await cluster.lag.lag();
    ctx.fault("subscription replayed", `${services.length} consumer groups reset to earliest: ${toRedeliver} records to deliver again (${Object.entries(perGroup).map(([s, n]) => `${s} ${n}`).join(", ")})`, services.length);
    for (const dispatcher of cluster.children.children.filter((c) => c.name === "dispatcher").slice(0, 2)) await cluster.children.start("dispatcher", dispatcher.port, dispatcher.env);
    // Delivered again once the groups are back at the end of the log.
    await waitFor(async () => (await cluster.lag.lag()).total === 0, { timeoutMs: 600_000, intervalMs: 500, what: "the replay to be delivered" });
    await ctx.settle(cluster);
    const after = await cluster.state.counts();
    const sentAfter = await sentLines(cluster.workDir);
    const changed = effects.filter((k) => after[k] !== before[k]).map((k) => `${k} ${before[k]} → ${after[k]}`);
    ctx.check("the replay changed nothing", changed.length === 0 && sentAfter === sentBefore && toRedeliver > 0,
      changed.length ? changed.join(", ") : `${describe(before)}; notifier sends ${sentBefore} → ${sentAfter}`);
    return cluster;
  },
};

const describe = (c: Counts) => effects.map((k) => `${c[k]} ${k}`).join(", ");

/** Sends that reached the customer (the recording notifier's lines not marked duplicate). */
async function sentLines(dataDir: string): Promise<number> {
  const file = Bun.file(`${dataDir}/notifications.jsonl`);
  if (!(await file.exists())) return 0;
  return (await file.text()).split("\n").filter((line) => line && !line.includes('"duplicate":true')).length;
}
