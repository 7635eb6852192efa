import { readFileSync } from "node:fs";
import { Admin } from "@platformatic/kafka";
import { allTopics } from "../../lib/events/index.ts";
import { findProcesses } from "../measure/processes.ts";

/** Records (per topic, plain names) and bytes on disk of a set of topics. */
export type KafkaTotals = { records: number; bytes: number; perTopic: Record<string, number> };

// ListOffsets' special timestamp for a partition's end (its next offset).
const latest = -1n;

/**
 * The run's view of a Kafka cluster: its own namespace (fresh topics and consumer groups, so the
 * shared broker's other users are neither read nor disturbed), the records and bytes the flow wrote
 * there, and topics for the perf tools. Everything of the namespace is deleted at the end.
 */
export function createBenchKafka(brokers: string, namespace: string) {
  const admin = new Admin({ clientId: "orderflow-bench", bootstrapBrokers: brokers.split(","), timeout: 10_000, retries: 3 });
  const flowTopics = allTopics.map((t) => ({ name: `${namespace}.${t.name}`, partitions: t.partitions }));
  const extraTopics = new Set<string>();

  async function totals(topics: Array<{ name: string; partitions: number }>): Promise<KafkaTotals> {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t.name));
    if (present.length === 0) return { records: 0, bytes: 0, perTopic: {} };
    const partitions = (t: { partitions: number }) => Array.from({ length: t.partitions }, (_, i) => i);
    const offsets = await admin.listOffsets({ topics: present.map((t) => ({ name: t.name, partitions: partitions(t).map((partitionIndex) => ({ partitionIndex, timestamp: latest })) })) });
    const perTopic: Record<string, number> = {};
    for (const t of offsets) perTopic[t.name.slice(namespace.length + 1)] = t.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    const records = Object.values(perTopic).reduce((a, b) => a + b, 0);
    const dirs = await admin.describeLogDirs({ topics: present.map((t) => ({ name: t.name, partitions: partitions(t) })) });
    const bytes = dirs.flatMap((d) => d.results.flatMap((r) => r.topics.flatMap((t) => t.partitions.map((p) => Number(p.partitionSize))))).reduce((a, b) => a + b, 0);
    return { records, bytes, perTopic };
  }

  return {
    brokers,
    namespace,
    /** Records in the flow's topics so far, and their bytes on disk (batch headers included). */
    flowTotals: () => totals(flowTopics),
    async createTopic(name: string, partitions: number): Promise<string> {
      const full = `${namespace}.${name}`;
      await admin.createTopics({ topics: [full], partitions, replicas: -1 });
      extraTopics.add(full);
      return full;
    },
    /** Deletes every topic and consumer group of the namespace. */
    async cleanup(): Promise<void> {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => {});
      const groups = [...(await admin.listGroups().catch(() => new Map())).keys()].filter((g) => String(g).startsWith(`${namespace}.`) || String(g).startsWith(`bench-${namespace}`));
      if (groups.length > 0) await admin.deleteGroups({ groups }).catch(() => {});
    },
    close: () => admin.close(),
  };
}

export type BenchKafka = ReturnType<typeof createBenchKafka>;

/**
 * The broker's JVM on this machine, found by the port in its server.properties: its CPU is shown
 * beside the flow's (marked shared: other users of the broker count in it too).
 */
export function kafkaBrokerPid(brokers: string): number | undefined {
  const port = brokers.split(",")[0]!.split(":").at(-1)!;
  return findProcesses(["kafka.Kafka"]).find((pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return new RegExp(`^listeners=.*:${port}\\b`, "m").test(readFileSync(args[args.indexOf("kafka.Kafka") + 1]!, "utf8"));
    } catch {
      return false;
    }
  });
}
