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
});
