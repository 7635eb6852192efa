import { afterAll, describe, expect, test } from "bun:test";
import { Admin } from "@platformatic/kafka";
import { tryGetServiceUrl, waitFor } from "../testing/index.ts";
import { brokerContract } from "./broker.contract.ts";
import { createKafkaBroker } from "./kafka.ts";
import type { Broker, ConsumedRecord } from "./types.ts";

// KAFKA_BROKERS=127.0.0.1:9092 after scripts/kafka/start.sh
const brokers = tryGetServiceUrl("kafka")?.split(",");

describe.skipIf(!brokers)("kafka adapter", () => {
  brokerContract("kafka", async () => {
    const bootstrap = brokers ?? [];
    const topics = new Set<string>();
    return {
      async open(): Promise<Broker> {
        const broker = createKafkaBroker({ brokers: bootstrap, clientId: "orderflow-contract" });
        return {
          ...broker,
          ensureTopics(specs) {
            for (const spec of specs) topics.add(spec.name);
            return broker.ensureTopics(specs);
          },
        };
      },
      async committed(group, topic, partition) {
        const admin = new Admin({ clientId: "orderflow-contract-offsets", bootstrapBrokers: bootstrap });
        try {
          const [found] = await admin.listConsumerGroupOffsets({ groups: [group] });
          const offset = found?.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.committedOffset;
          return offset === undefined || offset < 0n ? undefined : offset;
        } finally {
          await admin.close();
        }
      },
      // Every test makes new topics: deleting them keeps a long-lived test broker small.
      async cleanup() {
        if (topics.size === 0) return;
        const admin = new Admin({ clientId: "orderflow-contract-cleanup", bootstrapBrokers: bootstrap });
        await admin.deleteTopics({ topics: [...topics] }).catch(() => {});
        await admin.close();
      },
    };
  });

  // Kafka-specific: a member joining and one leaving while batches are in flight must neither lose
  // nor repeat them (the revocation hook in kafka-consumer.ts aborts the batches in flight, waits for
  // them and commits what finished before the group rebalances; this handler ignores the signal and
  // finishes its batch).
  describe("rebalancing with batches in flight", () => {
    const bootstrap = brokers ?? [];
    const topic = `rebalance-${crypto.randomUUID().slice(0, 8)}`;
    const opened: Broker[] = [];
    const open = () => {
      const broker = createKafkaBroker({ brokers: bootstrap, clientId: "orderflow-rebalance" });
      opened.push(broker);
      return broker;
    };
    afterAll(async () => {
      if (opened.length === 0) return;
      await Promise.all(opened.map((b) => b.close()));
      const admin = new Admin({ clientId: "orderflow-contract-cleanup", bootstrapBrokers: bootstrap });
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.close();
    }, 60_000);

    test("a member joining and one leaving lose nothing and repeat nothing", async () => {
      const total = 1200;
      const [first, second] = [open(), open()];
      await first.ensureTopics([{ name: topic, partitions: 4 }]);
      const encoder = new TextEncoder();
      await first.publish(
        Array.from({ length: total }, (_, n) => ({ topic, key: `order-${n % 24}`, value: encoder.encode(String(n)), headers: {} })),
      );
      const handled: Array<{ member: string; record: ConsumedRecord }> = [];
      const slowly = (member: string) => async (batch: ConsumedRecord[]) => {
        await Bun.sleep(80);
        for (const record of batch) handled.push({ member, record });
      };
      const group = `g-${topic}`;
      const a = await first.subscribe({ group, topics: [topic], handle: slowly("a"), maxBatch: 10 });
      await waitFor(() => handled.length >= 100, { what: "a to start" });
      const b = await second.subscribe({ group, topics: [topic], handle: slowly("b"), maxBatch: 10 });
      await waitFor(() => handled.filter((h) => h.member === "b").length >= 50, { what: "b to take partitions" });
      await a.close();
      await waitFor(() => handled.length >= total, { what: "every record" });
      // Closing waits for the batch in flight: after it, no delivery can come, so a repeat would show.
      await b.close();

      const ids = handled.map(({ record }) => `${record.partition}:${record.offset}`);
      expect(new Set(ids).size).toBe(total);
      expect(ids.length).toBe(total);
      expect(new Set(handled.map((h) => h.member))).toEqual(new Set(["a", "b"]));
      const backwards = ["a", "b"].flatMap((member) => {
        const last = new Map<number, bigint>();
        return handled
          .filter((h) => h.member === member)
          .filter(({ record }) => {
            const before = last.get(record.partition) ?? -1n;
            last.set(record.partition, record.offset);
            return record.offset <= before;
          });
      });
      expect(backwards).toEqual([]);
    }, 60_000);
  });

  // Kafka-specific: static membership (group.instance.id). The members' session timeout is five
  // minutes, so a member killed with SIGKILL holds its partitions for five minutes unless the
  // process started again under its id takes them back: waitFor gives up after 30 s.
  test("a member killed and started again under its group instance id takes its partitions back at once", async () => {
    const bootstrap = brokers ?? [];
    const topic = `static-${crypto.randomUUID().slice(0, 8)}`;
    const group = `g-${topic}`;
    const sessionTimeoutMs = 300_000;
    const local = createKafkaBroker({ brokers: bootstrap, clientId: "orderflow-static", groupInstanceId: `${topic}-a`, sessionTimeoutMs });
    const encoder = new TextEncoder();
    let sent = 0;
    const publishEverywhere = () =>
      local.publish(Array.from({ length: 40 }, () => ({ topic, key: `order-${sent++}`, value: encoder.encode("x"), headers: {} })));
    /** Member b, in a process of its own: one line per record it is handed. */
    const startB = () =>
      Bun.spawn(
        [
          "bun",
          "-e",
          `import { createKafkaBroker } from ${JSON.stringify(`${import.meta.dir}/kafka.ts`)};
           const broker = createKafkaBroker({ brokers: ${JSON.stringify(bootstrap)}, clientId: "orderflow-static-b", groupInstanceId: ${JSON.stringify(`${topic}-b`)}, sessionTimeoutMs: ${sessionTimeoutMs} });
           await broker.subscribe({ group: ${JSON.stringify(group)}, topics: [${JSON.stringify(topic)}], handle: async (batch) => { for (const r of batch) console.log(r.key); } });`,
        ],
        { stdout: "pipe", stderr: "inherit" },
      );
    const linesOf = (child: ReturnType<typeof startB>) => {
      const lines: string[] = [];
      void (async () => {
        const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        for (let read = await reader.read(); !read.done; read = await reader.read()) lines.push(...decoder.decode(read.value).split("\n").filter(Boolean));
      })();
      return lines;
    };
    let b = startB();
    try {
      await local.ensureTopics([{ name: topic, partitions: 4 }]);
      const seenByA: string[] = [];
      await local.subscribe({ group, topics: [topic], handle: async (batch) => void seenByA.push(...batch.map((r) => r.key)) });
      const firstLines = linesOf(b);
      await waitFor(async () => (await publishEverywhere(), firstLines.length > 0 && seenByA.length > 0), { intervalMs: 500, what: "both members to be handed records" });
      b.kill("SIGKILL");
      await b.exited;
      b = startB();
      const lines = linesOf(b);
      // Records on b's partitions reach the new process long before the dead one's session would expire.
      await waitFor(async () => (await publishEverywhere(), lines.length > 0), { intervalMs: 500, what: "the restarted member to be handed records" });
      expect(lines.every((key) => key.startsWith("order-"))).toBe(true);
    } finally {
      b.kill("SIGKILL");
      await local.close();
      const admin = new Admin({ clientId: "orderflow-contract-cleanup", bootstrapBrokers: bootstrap });
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.close();
    }
  }, 60_000);
});
