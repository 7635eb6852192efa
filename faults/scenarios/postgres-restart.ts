import { waitFor } from "../../lib/testing/index.ts";
import { services } from "../harness/cluster.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { countPerProcess, describeCounts } from "../harness/logs.ts";
import { startPrivatePostgres } from "../harness/private-postgres.ts";
import type { Scenario } from "../harness/scenario.ts";

/**
 * PostgreSQL crashes under load (`pg_ctl stop -m immediate`: no checkpoint, crash recovery on the
 * way back) and is started again. Every process holds connections to it; customers keep retrying
 * their orders with their Idempotency-Key. On a server of the scenario's own.
 */
export const postgresRestart: Scenario = {
  name: "postgres-restart",
  title: "a PostgreSQL restart under load",
  fault: "the PostgreSQL server stopped with `-m immediate` (a crash) under load, then started again",
  faults: ["PostgreSQL down"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 150, rate: 8, restarts: 1 } : { orders: 600, rate: 10, restarts: 2 };
    ctx.progress("starting a private PostgreSQL");
    const pg = await startPrivatePostgres(ctx.workDir);
    ctx.cleanup(() => pg.destroy());
    ctx.setting("server", `private PostgreSQL on :${pg.port} (initdb + pg_ctl, fsync off)`);
    const cluster = await ctx.startCluster({ engines: { ...ctx.engines, postgresUrl: pg.url } });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    const names = [...services, "relay"];
    for (let i = 0; i < size.restarts; i++) {
      await load.atLeast(Math.floor(((i + 1) * size.orders) / (size.restarts + 2)));
      const pid = await pg.pid();
      const open = (await cluster.state.counts()).open;
      const errorsBefore = countPerProcess(cluster, names, /"level":50/);
      ctx.progress(`PostgreSQL crash ${i + 1}/${size.restarts}`);
      const downAt = Date.now();
      await pg.crash();
      // Down until the processes felt it: new errors logged (a failed query, a lost connection).
      await waitFor(() => Object.entries(countPerProcess(cluster, names, /"level":50/)).some(([n, c]) => c > (errorsBefore[n] ?? 0)) || load.finished(),
        { timeoutMs: 60_000, intervalMs: 100, what: "the processes to notice PostgreSQL is gone" }).catch(() => undefined);
      await pg.start();
      const grown = Object.fromEntries(Object.entries(countPerProcess(cluster, names, /"level":50/)).map(([n, c]) => [n, c - (errorsBefore[n] ?? 0)]).filter(([, c]) => Number(c) > 0));
      ctx.fault("PostgreSQL down", `postmaster pid ${pid} crashed with ${open} orders open, down ${((Date.now() - downAt) / 1000).toFixed(1)} s, back as pid ${await pg.pid()}; errors logged: ${describeCounts(grown)}`);
    }
    const result = await load.done;
    checkLoad(ctx, result, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    return cluster;
  },
};
