import { services } from "../harness/cluster.ts";
import { duplicateAndShuffle, type ShuffleStats } from "../harness/shuffle-proxy.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import type { Scenario } from "../harness/scenario.ts";

/**
 * Every push to every service goes through a proxy that cuts it into small pushes, reorders events
 * of different orders (never two of one order: a key's order is the log's promise), and sends
 * each of them twice, sometimes both at once.
 */
export const duplicateShuffle: Scenario = {
  name: "duplicate-shuffle",
  title: "every event delivered twice, and shuffled within a key's limits",
  fault: "a re-signing proxy in front of each service's webhook: each event pushed twice (half the time concurrently), events of different orders reordered",
  faults: ["event delivered twice", "events reordered across orders"],
  short: true,
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 200, rate: 8 } : { orders: 800, rate: 10 };
    const stats: Record<string, ShuffleStats> = {};
    const proxies = Object.fromEntries(services.map((s) => [s, duplicateAndShuffle((stats[s] = emptyStats()))]));
    const cluster = await ctx.startCluster({ proxies });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    for (const [service, s] of Object.entries(stats)) {
      if (s.duplicated) ctx.fault("event delivered twice", `${service}: ${s.duplicated} events sent twice (${s.concurrent} both at once), ${s.answeredDuplicate} second copies answered "duplicate"`, s.duplicated);
      const moved = s.reordered + s.overtaken;
      if (moved) ctx.fault("events reordered across orders", `${service}: ${s.reordered} of ${s.events} events moved inside their push, ${s.overtaken} pushes overtaken by a later one`, moved);
    }
    summarise(ctx, stats);
    return cluster;
  },
};

function emptyStats(): ShuffleStats {
  return { events: 0, duplicated: 0, concurrent: 0, reordered: 0, overtaken: 0, answeredDuplicate: 0 };
}

/** One evidence line per service instead of one per event. */
function summarise(ctx: Parameters<Scenario["run"]>[0], stats: Record<string, ShuffleStats>) {
  const total = (f: keyof ShuffleStats) => Object.values(stats).reduce((n, s) => n + s[f], 0);
  ctx.check("the services recognised the second copies", total("answeredDuplicate") > 0 && total("answeredDuplicate") <= total("duplicated"),
    `${total("answeredDuplicate")} of ${total("duplicated")} second copies answered "duplicate" (the rest met the first copy in flight and were retried)`);
}
