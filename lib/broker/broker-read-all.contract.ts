import { expect, test } from "bun:test";
import { waitFor } from "../testing/index.ts";
import { partitionForKey } from "./partitioner.ts";
import type { Broker, ConsumedRecord, ProducedRecord, SubscribeOptions, Subscription } from "./types.ts";

/** What broker.contract.ts gives these cases: a broker, names, subscriptions closed after the test, committed offsets. */
export type ReadAllContext = {
  open(): Promise<Broker>;
  unique(name: string): string;
  subscribe(broker: Broker, options: SubscribeOptions): Promise<Subscription>;
  /** The group's committed offset of one partition; undefined when it never committed. */
  committed(group: string, topic: string, partition: number): Promise<bigint | undefined>;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const record = (topic: string, key: string, n: number): ProducedRecord => ({
  topic,
  key,
  value: encoder.encode(`${key}#${n}`),
  headers: { ce_id: `${key}-${n}`, n: String(n) },
});
const upTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1);
const asStored = (r: ProducedRecord | ConsumedRecord) => ({ topic: r.topic, key: r.key, value: decoder.decode(r.value), headers: r.headers });

/**
 * The shape readAll promises: partitions one after the other, in ascending order, each from its
 * first offset (0 on a new topic) without a hole.
 */
function expectWholePartitionsInOrder(records: ConsumedRecord[]): void {
  const partitions = records.map((r) => r.partition);
  expect(partitions).toEqual([...partitions].sort((a, b) => a - b));
  for (const partition of new Set(partitions)) {
    const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
    expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
  }
}

/** readAll: the whole topic, without a consumer group. */
export function readAllCases({ open, unique, subscribe, committed }: ReadAllContext) {
  async function topicWith(partitions: number, records: (topic: string) => ProducedRecord[]) {
    const broker = await open();
    const topic = unique("all");
    await broker.ensureTopics([{ name: topic, partitions }]);
    const produced = records(topic);
    await broker.publish(produced);
    return { broker, topic, produced };
  }
  const keyed = (topic: string) => ["a", "b", "c", "d", "e"].flatMap((key) => [1, 2, 3].map((n) => record(topic, key, n)));

  test("readAll returns every record of every partition, in offset order, with keys, values and headers", async () => {
    const { broker, topic, produced } = await topicWith(3, keyed);
    const records = await broker.readAll(topic);
    expectWholePartitionsInOrder(records);
    expect(records.map(asStored).sort((x, y) => x.value.localeCompare(y.value))).toEqual(produced.map(asStored).sort((x, y) => x.value.localeCompare(y.value)));
    for (const key of ["a", "b", "c", "d", "e"]) {
      const ofKey = records.filter((r) => r.key === key);
      expect(ofKey.map((r) => r.headers.n)).toEqual(["1", "2", "3"]);
      expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
    }
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  test("readAll of an empty topic is [], of a missing one broker.unknown_topic", async () => {
    const { broker, topic } = await topicWith(2, () => []);
    expect(await broker.readAll(topic)).toEqual([]);
    await expect(broker.readAll(unique("missing"))).rejects.toMatchObject({ code: "broker.unknown_topic" });
  });

  test("two readAll at once both get every record", async () => {
    const { broker, topic, produced } = await topicWith(3, keyed);
    const [first, second] = await Promise.all([broker.readAll(topic), broker.readAll(topic)]);
    expect(first).toHaveLength(produced.length);
    expect(second.map(asStored)).toEqual(first.map(asStored));
    expect(second.map((r) => [r.partition, r.offset])).toEqual(first.map((r) => [r.partition, r.offset]));
  });

  test("readAll ends at the end found at the call while records keep coming, without a hole", async () => {
    const { broker, topic, produced } = await topicWith(2, (t) => upTo(20).map((n) => record(t, `k${n % 4}`, n)));
    let settled = false;
    const reading = broker.readAll(topic).finally(() => (settled = true));
    // Published after the call: none may make the read wait for more (bounded, should it not settle).
    let published = produced.length;
    while (!settled && published < 500) await broker.publish([record(topic, `k${published % 4}`, ++published)]);
    const records = await reading;
    expectWholePartitionsInOrder(records);
    const seen = new Set(records.map((r) => r.headers.ce_id));
    expect(produced.filter((r) => !seen.has(r.headers.ce_id))).toEqual([]);
    expect(records.length).toBeLessThanOrEqual(published);
  });

  test("readAll commits nothing: no group's offsets move or appear", async () => {
    const { broker, topic, produced } = await topicWith(2, keyed);
    const group = unique("g");
    const seen: ConsumedRecord[] = [];
    // The group finishes the first partition only; the second stays where it was, uncommitted.
    const sub = await subscribe(broker, {
      group,
      topics: [topic],
      handle: async (records) => {
        if (records[0]?.partition !== 0) throw new Error("held back on purpose");
        seen.push(...records);
      },
    });
    const onFirst = produced.filter((r) => partitionForKey(r.key, 2) === 0).length;
    expect(onFirst).toBeGreaterThan(0);
    expect(onFirst).toBeLessThan(produced.length);
    await waitFor(async () => (await committed(group, topic, 0)) === BigInt(onFirst), { what: "the first partition's commit" });
    await sub.close();
    const before = [await committed(group, topic, 0), await committed(group, topic, 1)];

    expect(await broker.readAll(topic)).toHaveLength(produced.length);
    expect([await committed(group, topic, 0), await committed(group, topic, 1)]).toEqual(before);
    expect(before[1]).toBeUndefined();
    const never = unique("never");
    expect([await committed(never, topic, 0), await committed(never, topic, 1)]).toEqual([undefined, undefined]);
  }, 30_000);
}
