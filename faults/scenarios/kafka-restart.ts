import { waitFor } from "../../lib/testing/index.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { countPerProcess, describeCounts } from "../harness/logs.ts";
import { startPrivateKafka } from "../harness/private-kafka.ts";
import type { Scenario } from "../harness/scenario.ts";

/**
 * The Kafka broker goes down under load and comes back: a clean stop (SIGTERM) and, in the long
 * tier, a `kill -9` of its JVM as well. On a broker of the scenario's own (the shared one serves
 * other people). Orders keep being accepted meanwhile (the order service needs PostgreSQL only);
 * the relay and the dispatchers must ride it out.
 */
export const kafkaRestart: Scenario = {
  name: "kafka-restart",
  title: "a Kafka broker restart under load",
  fault: "the only broker stopped under load, kept down while orders keep coming, then started again",
  faults: ["broker down"],
  short: true,
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 200, rate: 8, stops: ["stop"] } : { orders: 800, rate: 10, stops: ["stop", "kill -9"] };
    ctx.progress("starting a private Kafka");
    const kafka = await startPrivateKafka(ctx.workDir);
    ctx.cleanup(() => kafka.destroy());
    ctx.setting("broker", `private Apache Kafka on ${kafka.brokers} (scripts/kafka/start.sh)`);
    const cluster = await ctx.startCluster({ engines: { ...ctx.engines, kafkaBrokers: kafka.brokers } });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    const errorLines = /"level":(40|50)/;
    for (const [i, how] of size.stops.entries()) {
      await load.atLeast(Math.floor(((i + 1) * size.orders) / (size.stops.length + 2)));
      const pid = await kafka.pid();
      const before = await cluster.state.counts();
      const errorsBefore = countPerProcess(cluster, ["relay", "dispatcher"], errorLines);
      ctx.progress(`Kafka ${how}`);
      const downAt = Date.now();
      await (how === "stop" ? kafka.stop() : kafka.kill());
      // Down until orders kept arriving without it: at least 10% of the run accepted meanwhile.
      const acceptedAtStop = load.accepted();
      await waitFor(() => load.accepted() >= acceptedAtStop + size.orders / 10 || load.finished(), { timeoutMs: 120_000, what: "orders accepted while Kafka is down" });
      const during = await cluster.state.counts();
      await kafka.start();
      const newPid = await kafka.pid();
      const errors = countPerProcess(cluster, ["relay", "dispatcher"], errorLines);
      const grown = Object.fromEntries(Object.entries(errors).map(([k, n]) => [k, n - (errorsBefore[k] ?? 0)]));
      ctx.fault("broker down", `${how}: broker pid ${pid} gone for ${((Date.now() - downAt) / 1000).toFixed(1)} s, back as pid ${newPid}; ` +
        `${load.accepted() - acceptedAtStop} orders accepted meanwhile, unpublished outbox rows ${before.unpublished} → ${during.unpublished}; warnings/errors logged: ${describeCounts(grown)}`);
      ctx.check(`events waited in the outbox while the broker was down (${how})`, during.unpublished > 0 && newPid !== pid, `${during.unpublished} unpublished rows before the broker came back`);
    }
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    return cluster;
  },
};
