import { afterEach, describe, expect, test } from "bun:test";
import { waitFor } from "../testing/index.ts";
import { pipeliningCases } from "./broker-pipelining.contract.ts";
import { readAllCases } from "./broker-read-all.contract.ts";
import type { Broker, ConsumedRecord, ProducedRecord, SubscribeOptions } from "./types.ts";

/**
 * One contract for every broker adapter. `open` may be called several times with the same
 * `location` to model a restart (embedded: the same folder; Kafka: a new client).
 */
export type BrokerHarness = {
  open(): Promise<Broker>;
  cleanup(): Promise<void>;
  /** The group's committed offset of one partition, read beside the broker; undefined when it never committed. */
  committed(group: string, topic: string, partition: number): Promise<bigint | undefined>;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function record(topic: string, key: string, n: number): ProducedRecord {
  return { topic, key, value: encoder.encode(`${key}#${n}`), headers: { ce_id: `${key}-${n}`, n: String(n) } };
}

function text(r: ConsumedRecord): string {
  return decoder.decode(r.value);
}

/** Per key, the sequence numbers in the order they were handled. */
function sequencesByKey(records: ConsumedRecord[]): Map<string, number[]> {
  return new Map([...Map.groupBy(records, (r) => r.key)].map(([key, group]) => [key, group.map((r) => Number(r.headers.n))]));
}

export function brokerContract(label: string, makeHarness: () => Promise<BrokerHarness>) {
  describe(`broker contract: ${label}`, () => {
    const opened: Array<{ close(): Promise<void> }> = [];
    let harness: BrokerHarness | undefined;

    async function open(): Promise<Broker> {
      harness ??= await makeHarness();
      const broker = await harness.open();
      opened.push(broker);
      return broker;
    }
    async function subscribe(broker: Broker, options: SubscribeOptions) {
      const sub = await broker.subscribe(options);
      opened.unshift(sub);
      return sub;
    }
    async function consume(broker: Broker, group: string, topics: string[], into: ConsumedRecord[], fail?: () => boolean) {
      return subscribe(broker, {
        group,
        topics,
        handle: async (batch) => {
          if (fail?.()) throw new Error("handler failed on purpose");
          into.push(...batch);
        },
      });
    }
    const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;

    afterEach(async () => {
      for (const item of opened.splice(0)) await item.close().catch(() => {});
      await harness?.cleanup();
      harness = undefined;
    }, 60_000);

    test("ensureTopics is idempotent", async () => {
      const broker = await open();
      const topic = unique("t");
      await broker.ensureTopics([{ name: topic, partitions: 3 }]);
      await broker.ensureTopics([{ name: topic, partitions: 3 }]);
      await broker.publish([record(topic, "a", 1)]);
    });

    test("delivers every record with key, value and headers, in order per key", async () => {
      const broker = await open();
      const topic = unique("orders");
      await broker.ensureTopics([{ name: topic, partitions: 4 }]);
      const keys = ["k1", "k2", "k3", "k4", "k5"];
      const produced = keys.flatMap((key) => [1, 2, 3, 4].map((n) => record(topic, key, n)));
      await broker.publish(produced);

      const seen: ConsumedRecord[] = [];
      await consume(broker, unique("g"), [topic], seen);
      await waitFor(() => seen.length >= produced.length, { what: "all records" });

      expect(seen.map(text).sort()).toEqual(produced.map((r) => decoder.decode(r.value)).sort());
      for (const [, ns] of sequencesByKey(seen)) expect(ns).toEqual([1, 2, 3, 4]);
      const first = seen.find((r) => r.key === "k1");
      expect(first?.headers.ce_id).toBe("k1-1");
      expect(first?.topic).toBe(topic);
      const partitionsOfK1 = new Set(seen.filter((r) => r.key === "k1").map((r) => r.partition));
      expect(partitionsOfK1.size).toBe(1);
    });

    test("each consumer group sees every record", async () => {
      const broker = await open();
      const topic = unique("fanout");
      await broker.ensureTopics([{ name: topic, partitions: 2 }]);
      await broker.publish([1, 2, 3].map((n) => record(topic, `k${n}`, n)));
      const a: ConsumedRecord[] = [];
      const b: ConsumedRecord[] = [];
      await consume(broker, unique("ga"), [topic], a);
      await consume(broker, unique("gb"), [topic], b);
      await waitFor(() => a.length >= 3 && b.length >= 3, { what: "both groups" });
      expect(a.map(text).sort()).toEqual(b.map(text).sort());
    });

    test("a failing handler gets the same records again; nothing is skipped", async () => {
      const broker = await open();
      const topic = unique("retry");
      await broker.ensureTopics([{ name: topic, partitions: 1 }]);
      await broker.publish([1, 2, 3].map((n) => record(topic, "k", n)));
      let failures = 2;
      const seen: ConsumedRecord[] = [];
      await consume(broker, unique("g"), [topic], seen, () => failures-- > 0);
      await waitFor(() => seen.length >= 3, { what: "records after failures" });
      expect(failures).toBeLessThan(0);
      expect(sequencesByKey(seen).get("k")).toEqual([1, 2, 3]);
    }, 30_000);

    test("committed offsets survive a restart: a group resumes after what it finished", async () => {
      const topic = unique("durable");
      const group = unique("g");
      const first = await open();
      await first.ensureTopics([{ name: topic, partitions: 3 }]);
      await first.publish([1, 2, 3].map((n) => record(topic, `k${n}`, n)));
      const before: ConsumedRecord[] = [];
      const sub = await consume(first, group, [topic], before);
      await waitFor(() => before.length >= 3, { what: "first three" });
      await sub.close();
      await first.close();

      const second = await open();
      await second.publish([4, 5].map((n) => record(topic, `k${n}`, n)));
      const after: ConsumedRecord[] = [];
      await consume(second, group, [topic], after);
      await waitFor(() => after.length >= 2, { what: "the two new records" });
      expect(after.map(text).sort()).toEqual(["k4#4", "k5#5"]);
    });

    test("a backlog many batches long arrives whole and in order, also when a restart falls in the middle", async () => {
      const topic = unique("backlog");
      const group = unique("g");
      const first = await open();
      await first.ensureTopics([{ name: topic, partitions: 1 }]);
      for (let from = 1; from <= 600; from += 50) await first.publish(Array.from({ length: 50 }, (_, i) => record(topic, "k", from + i)));
      const before: ConsumedRecord[] = [];
      // The first consumer stops taking records after 150: the rest waits for the restart.
      const sub = await consume(first, group, [topic], before, () => before.length >= 150);
      await waitFor(() => before.length >= 150, { what: "the first batches" });
      await sub.close();
      await first.close();

      const after: ConsumedRecord[] = [];
      await consume(await open(), group, [topic], after);
      await waitFor(() => after.some((r) => r.headers.n === "600"), { what: "the rest of the backlog" });
      const handled = [...before, ...after].map((r) => Number(r.headers.n));
      expect([...new Set(handled)]).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
      expect(handled).toEqual([...handled].sort((x, y) => x - y));
    });

    test("members of one group share the partitions and lose nothing", async () => {
      const broker = await open();
      const topic = unique("shared");
      const group = unique("g");
      await broker.ensureTopics([{ name: topic, partitions: 6 }]);
      const a: ConsumedRecord[] = [];
      const b: ConsumedRecord[] = [];
      await consume(broker, group, [topic], a);
      await consume(broker, group, [topic], b);
      const produced = Array.from({ length: 30 }, (_, i) => record(topic, `key-${i % 10}`, i));
      await broker.publish(produced);
      await waitFor(() => new Set([...a, ...b].map(text)).size >= produced.length, { what: "all records" });
      for (const [, ns] of sequencesByKey(a)) expect(ns).toEqual([...ns].sort((x, y) => x - y));
      for (const [, ns] of sequencesByKey(b)) expect(ns).toEqual([...ns].sort((x, y) => x - y));
    }, 30_000);

    test("resetGroup moves a stopped group to the earliest record, an offset or a time", async () => {
      const broker = await open();
      const [topic, group] = [unique("replay"), unique("g")];
      await broker.ensureTopics([{ name: topic, partitions: 1 }]);
      await broker.publish([1, 2, 3].map((n) => record(topic, "k", n)));
      await Bun.sleep(20);
      const later = new Date();
      await Bun.sleep(20);
      await broker.publish([4, 5].map((n) => record(topic, "k", n)));
      const replayedFrom = async (to: Parameters<Broker["resetGroup"]>[2], expected: number) => {
        await broker.resetGroup(group, [topic], to);
        const seen: ConsumedRecord[] = [];
        const sub = await consume(broker, group, [topic], seen);
        await waitFor(() => seen.some((r) => r.headers.n === "5"), { what: "the end of the topic" });
        await sub.close();
        expect(seen.map((r) => Number(r.headers.n))).toEqual(Array.from({ length: 6 - expected }, (_, i) => expected + i));
      };
      await replayedFrom({ earliest: true }, 1);
      await replayedFrom({ offset: 1n }, 2);
      await replayedFrom({ time: later }, 4);
    }, 30_000);

    test("resetGroup refuses a group with an active member", async () => {
      const broker = await open();
      const [topic, group] = [unique("busy"), unique("g")];
      await broker.ensureTopics([{ name: topic, partitions: 1 }]);
      await broker.publish([record(topic, "k", 1)]);
      const seen: ConsumedRecord[] = [];
      await consume(broker, group, [topic], seen);
      await waitFor(() => seen.length >= 1, { what: "the record" });
      await expect(broker.resetGroup(group, [topic], { earliest: true })).rejects.toMatchObject({ code: "broker.group_active" });
    });

    const context = {
      open,
      unique,
      subscribe,
      committed: async (group: string, topic: string, partition: number) => harness?.committed(group, topic, partition),
    };
    pipeliningCases(context);
    readAllCases(context);
  });
}
