import type { BenchKafka } from "./engines/kafka.ts";
import type { BenchPostgres } from "./engines/postgres.ts";
import { healthy, spawnLogged, stopGracefully } from "./flow/spawn.ts";
import { type BurstResult, runBurst } from "./load/burst.ts";
import { type ConsumerPerf, consumerPerf, kafkaToolsClasspath, type ProducerPerf, producerPerf } from "./limits/kafka-perf.ts";
import { type PgbenchResult, preparePgbench } from "./limits/pgbench.ts";
import type { Plan } from "./plan.ts";
import type { Progress } from "./progress.ts";
import { freePort, orderBody } from "../lib/testing/index.ts";

export type Limits = {
  pgbench: { clients: number; order: PgbenchResult; handler: PgbenchResult; handlerOneClient: PgbenchResult };
  kafka: { recordSize: number; partitions: number; producer: ProducerPerf; producerAtLowRate: ProducerPerf; consumer: ConsumerPerf };
  hello: BurstResult;
};

/** Connections the order API's process holds (lib/db/postgres.ts): pgbench gets as many clients. */
export const poolSize = 5;

/**
 * The engines' own limits, measured in the same run, after the flow has stopped (nothing else of
 * ours runs meanwhile): pgbench for the order API's and a handler's transaction, Kafka's perf
 * tools with the flow's record size, and a Bun.serve hello-world under the same load generator.
 */
export async function runLimits(options: { plan: Plan; workDir: string; pg: BenchPostgres; kafka: BenchKafka; database: string; recordSize: number; progress: Progress }): Promise<Limits> {
  const { plan, workDir, pg, kafka, progress } = options;
  progress.phase("limits: pgbench, the order API's and a handler's transaction", plan.pgbenchSeconds * 3);
  const bench = await preparePgbench(pg, workDir, options.database);
  const order = await bench.run("order", poolSize, plan.pgbenchSeconds);
  const handler = await bench.run("handler", poolSize, plan.pgbenchSeconds);
  const handlerOneClient = await bench.run("handler", 1, plan.pgbenchSeconds);
  await bench.drop();
  progress.result(`pgbench: order transaction ${order.tps.toFixed(0)} tps, handler transaction ${handler.tps.toFixed(0)} tps (${poolSize} clients)`);

  progress.phase("limits: kafka-producer-perf-test / kafka-consumer-perf-test", 15);
  const classpath = await kafkaToolsClasspath();
  const partitions = 12;
  const topic = await kafka.createTopic("bench-perf", partitions);
  const producer = await producerPerf(classpath, kafka, topic, plan.kafkaRecords, options.recordSize);
  const producerAtLowRate = await producerPerf(classpath, kafka, topic, plan.kafkaLatencyProbe.records, options.recordSize, plan.kafkaLatencyProbe.rate);
  const consumer = await consumerPerf(classpath, kafka, topic, plan.kafkaRecords);
  progress.result(`kafka perf: produce ${producer.recordsPerSecond.toFixed(0)} records/s, consume ${consumer.recordsPerSecond.toFixed(0)} records/s (${options.recordSize} B)`);

  progress.phase("limits: Bun.serve hello-world", plan.helloMs / 1000);
  const hello = await helloWorld(workDir, plan);
  progress.result(`hello-world: ${hello.perSecond.toFixed(0)} requests/s`);
  return { pgbench: { clients: poolSize, order, handler, handlerOneClient }, kafka: { recordSize: options.recordSize, partitions, producer, producerAtLowRate, consumer }, hello };
}

/** The same requests as the accept burst (a POST with an order's body and a bearer token), answered at once. */
async function helloWorld(workDir: string, plan: Plan): Promise<BurstResult> {
  const port = freePort();
  const server = spawnLogged(workDir, "hello-world", ["bun", "bench/limits/hello-server.ts"], { ...process.env, PORT: String(port) });
  try {
    await healthy(server, port, 30_000);
    const body = JSON.stringify(orderBody([{ productId: "bench-p0", quantity: 1 }]));
    const headers = { "content-type": "application/json", authorization: `Bearer ${"x".repeat(200)}` };
    return await runBurst(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/orders`, { method: "POST", headers, body });
      await response.text();
      return response.status === 202;
    }, plan.burst.connections, plan.helloMs);
  } finally {
    await stopGracefully(server, 5_000);
  }
}
