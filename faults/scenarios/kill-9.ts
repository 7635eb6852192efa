import { waitFor } from "../../lib/testing/index.ts";
import { services } from "../harness/cluster.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import type { Scenario } from "../harness/scenario.ts";

const victims = [...services, "relay", "dispatcher"] as const;

/**
 * `kill -9` of every service, the relay and a dispatcher in turn, several rounds, while orders
 * keep coming; each is started again at once on the same port, as a supervisor would.
 */
export const kill9: Scenario = {
  name: "kill-9",
  title: "kill -9 of each service, the relay and a dispatcher, repeatedly, under load",
  fault: `SIGKILL of ${victims.join(", ")} in turn, restarted at once`,
  faults: ["kill -9"],
  short: true,
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 240, rate: 8, rounds: 1 } : { orders: 1200, rate: 12, rounds: 3 };
    ctx.setting("rounds", `${size.rounds} × ${victims.length} kills`);
    const cluster = await ctx.startCluster({});
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    const kills = size.rounds * victims.length;
    let midFlow = 0;
    for (let k = 0; k < kills; k++) {
      const victim = victims[k % victims.length]!;
      // Spread over the load: the k-th kill after (k+1)/(kills+1) of the orders were accepted.
      await load.atLeast(Math.floor(((k + 1) * size.orders) / (kills + 1)));
      // Mid-flow: the flow keeps up with the load, so wait for a moment with orders on their way and
      // kill right then. The count judged is the one observed just before the kill: a second read
      // (as this once did) can come after those orders settled and call the kill idle.
      let open = 0;
      await waitFor(async () => (open = await cluster.state.openOrders()) > 0, { timeoutMs: 30_000, intervalMs: 5, what: "orders in flight" }).catch(() => undefined);
      ctx.progress(`kill -9 ${victim} (${k + 1}/${kills})`);
      const killed = await cluster.children.killAndRestart(victim, Math.floor(k / victims.length));
      const lag = await cluster.lag.lag().catch(() => undefined);
      ctx.fault("kill -9", `${victim}: pid ${killed.killedPid} ended by ${killed.signal}, pid ${killed.newPid} healthy after ${killed.downMs} ms; ` +
        `${open} orders open just before the kill, ${lag?.total ?? "?"} records undelivered after the restart`);
      if (open > 0) midFlow++;
    }
    // Under load: orders still on their way when each process died.
    ctx.check("every kill landed mid-flow", midFlow === kills, `${midFlow} of ${kills} kills with orders open`);
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    const times = await cluster.state.timesToEnd();
    const s = (seconds: number) => `${seconds.toFixed(1)} s`;
    ctx.setting("time to end", `accepted → shipped or cancelled, ${times.orders} orders: p50 ${s(times.p50)}, p99 ${s(times.p99)}, max ${s(times.max)}`);
    return cluster;
  },
};
