import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { exec } from "../engines/exec.ts";
import type { BenchKafka } from "../engines/kafka.ts";

export type ProducerPerf = { recordsPerSecond: number; mbPerSecond: number; avgMs: number; p50Ms: number; p99Ms: number; maxMs: number; records: number };
export type ConsumerPerf = { recordsPerSecond: number; mbPerSecond: number; records: number };

/** The producer settings of the perf test: the flow's (acks=all, idempotent) and the client's defaults otherwise, named. */
export const perfProducerSettings = { acks: "all", "enable.idempotence": "true", "linger.ms": "5", "batch.size": "16384", "compression.type": "none" };

/**
 * Apache Kafka's own perf tools (kafka-tools, the broker's version: scripts/kafka/start.sh),
 * resolved from Maven Central once into the broker's jar cache, as start.sh resolves the broker.
 */
export async function kafkaToolsClasspath(): Promise<string> {
  const version = process.env.KAFKA_VERSION ?? "4.2.2";
  const cache = process.env.KAFKA_CACHE_DIR ?? join(homedir(), ".cache", "orderflow-kafka", version);
  const tools = join(cache, "tools");
  if (!existsSync(join(tools, ".complete"))) {
    const partial = `${tools}.partial.${process.pid}`;
    mkdirSync(cache, { recursive: true });
    rmSync(partial, { recursive: true, force: true });
    await exec(["mvn", "-q", "-B", "-f", join(import.meta.dir, "kafka-tools.pom.xml"), `-Dkafka.version=${version}`, "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${partial}`]);
    writeFileSync(join(partial, ".complete"), "");
    rmSync(tools, { recursive: true, force: true });
    renameSync(partial, tools);
  }
  return join(tools, "*");
}

const java = (classpath: string, main: string, args: string[]) => exec(["java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, main, ...args]);

/** ProducerPerformance: `records` of `recordSize` bytes, as fast as it goes (throughput -1) or at a fixed rate. */
export async function producerPerf(classpath: string, kafka: BenchKafka, topic: string, records: number, recordSize: number, throughput = -1): Promise<ProducerPerf> {
  const props = ["--command-property", ...Object.entries(perfProducerSettings).map(([k, v]) => `${k}=${v}`)];
  // The first tenth warms the JVM and the connections up and is left out of the figures.
  const output = await java(classpath, "org.apache.kafka.tools.ProducerPerformance", [
    "--bootstrap-server", kafka.brokers, "--topic", topic, "--num-records", String(records), "--warmup-records", String(Math.floor(records / 10)),
    "--record-size", String(recordSize), "--throughput", String(throughput), ...props,
  ]);
  const result = parseProducerSummary(output);
  if (!result) throw new Error(`ProducerPerformance printed no summary:\n${output.slice(-2000)}`);
  return result;
}

/** ProducerPerformance's last summary line: the steady state's when there was a warm-up, else the whole run's. */
export function parseProducerSummary(output: string): ProducerPerf | undefined {
  const summary = output.split("\n").findLast((line) => /records sent, .* 50th/.test(line));
  if (!summary) return undefined;
  const number = (pattern: RegExp) => Number(pattern.exec(summary)?.[1]);
  return {
    records: number(/^(\d+) (?:steady state )?records sent/),
    recordsPerSecond: number(/([\d.]+) records\/sec/),
    mbPerSecond: number(/\(([\d.]+) MB\/sec\)/),
    avgMs: number(/([\d.]+) ms avg latency/),
    maxMs: number(/([\d.]+) ms max latency/),
    p50Ms: number(/(\d+) ms 50th/),
    p99Ms: number(/(\d+) ms 99th/),
  };
}

/** ConsumerPerformance: reads `records` from the topic in a fresh group; the fetch rate (after the group has formed). */
export async function consumerPerf(classpath: string, kafka: BenchKafka, topic: string, records: number): Promise<ConsumerPerf> {
  const output = await java(classpath, "org.apache.kafka.tools.ConsumerPerformance", [
    "--bootstrap-server", kafka.brokers, "--topic", topic, "--num-records", String(records), "--group", `bench-${kafka.namespace}-perf-${Date.now()}`,
  ]);
  const result = parseConsumerSummary(output);
  if (!result) throw new Error(`ConsumerPerformance printed no figures:\n${output.slice(-2000)}`);
  return result;
}

/** ConsumerPerformance's CSV line (after its header): the fetch rate, which leaves the group's join out. */
export function parseConsumerSummary(output: string): ConsumerPerf | undefined {
  const lines = output.trim().split("\n");
  const header = lines.findIndex((line) => line.startsWith("start.time"));
  if (header < 0 || !lines[header + 1]) return undefined;
  const columns = lines[header]!.split(", ");
  const values = lines[header + 1]!.split(", ");
  const column = (name: string) => Number(values[columns.indexOf(name)]);
  const result = { records: column("data.consumed.in.nMsg"), recordsPerSecond: column("fetch.nMsg.sec"), mbPerSecond: column("fetch.MB.sec") };
  return Number.isFinite(result.recordsPerSecond) ? result : undefined;
}
