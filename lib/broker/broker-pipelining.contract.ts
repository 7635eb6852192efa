import { expect, test } from "bun:test";
import { waitFor } from "../testing/index.ts";
import { partitionForKey } from "./partitioner.ts";
import type { Broker, ConsumedRecord, ProducedRecord, SubscribeOptions, Subscription } from "./types.ts";

/** What broker.contract.ts gives these cases: a broker, names, subscriptions closed after the test, committed offsets. */
export type PipeliningContext = {
  open(): Promise<Broker>;
  unique(name: string): string;
  subscribe(broker: Broker, options: SubscribeOptions): Promise<Subscription>;
  /** The group's committed offset of one partition; undefined when it never committed. */
  committed(group: string, topic: string, partition: number): Promise<bigint | undefined>;
};

const encoder = new TextEncoder();
const record = (topic: string, key: string, n: number): ProducedRecord => ({ topic, key, value: encoder.encode(`${key}#${n}`), headers: { n: String(n) } });
const numbers = (records: ConsumedRecord[]) => records.map((r) => Number(r.headers.n));
const upTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1);
/** A key that lands on `partition` of `count` (both adapters partition like Kafka's Java client). */
const keyOn = (partition: number, count: number) => Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionForKey(k, count) === partition) as string;

/** Rejects with the signal's reason once it aborts: what a handler that honours the signal does. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Deliveries, several batches in flight, commits and revocation: the cases of the port's Delivery and maxInFlight. */
export function pipeliningCases({ open, unique, subscribe, committed }: PipeliningContext) {
  async function topicWith(partitions: number, records: (topic: string) => ProducedRecord[]) {
    const broker = await open();
    const topic = unique("pipe");
    await broker.ensureTopics([{ name: topic, partitions }]);
    await broker.publish(records(topic));
    return { broker, topic, group: unique("g") };
  }

  test("with maxInFlight above maxBatch, later batches are handed over while the first runs, and the commit waits for it", async () => {
    const { broker, topic, group } = await topicWith(1, (t) => upTo(6).map((n) => record(t, "k", n)));
    const batches: number[][] = [];
    let aborted = false;
    const sub = await subscribe(broker, {
      group,
      topics: [topic],
      maxBatch: 2,
      maxInFlight: 6,
      handle: async (records, { signal }) => {
        batches.push(numbers(records));
        if (records[0]?.headers.n !== "1") return;
        await untilAborted(signal).catch((reason) => {
          aborted = true;
          throw reason;
        });
      },
    });
    await waitFor(() => batches.flat().includes(6), { what: "the batches after the blocked one" });
    expect(batches).toEqual([[1, 2], [3, 4], [5, 6]]);
    await sub.close();
    expect(aborted).toBe(true);
    expect((await committed(group, topic, 0)) ?? 0n).toBe(0n);

    const again: ConsumedRecord[] = [];
    await subscribe(broker, { group, topics: [topic], handle: async (records) => void again.push(...records) });
    await waitFor(() => again.length >= 6, { what: "every record again" });
    expect(numbers(again)).toEqual(upTo(6));
  });

  test("a handler blocked on one partition holds back neither the handover nor the commit of another", async () => {
    const [blocked, free] = [keyOn(0, 2), keyOn(1, 2)];
    const { broker, topic, group } = await topicWith(2, (t) => [record(t, blocked, 1), record(t, free, 1), record(t, free, 2)]);
    const handled: ConsumedRecord[] = [];
    let blocking = false;
    await subscribe(broker, {
      group,
      topics: [topic],
      handle: async (records, { signal }) => {
        if (records[0]?.key !== blocked) return void handled.push(...records);
        blocking = true;
        await untilAborted(signal);
      },
    });
    await waitFor(() => blocking && handled.length >= 2, { what: "the blocked partition and the free one" });
    await broker.publish([record(topic, free, 3), record(topic, free, 4)]);
    await waitFor(() => handled.length >= 4, { what: "records of the free partition published after the block" });
    expect(numbers(handled)).toEqual([1, 2, 3, 4]);
    await waitFor(async () => (await committed(group, topic, 1)) === 4n, { what: "the free partition's commit" });
    expect((await committed(group, topic, 0)) ?? 0n).toBe(0n);
  }, 30_000);

  test("a failed batch stops its partition; every record from the committed offset comes again, in order", async () => {
    const { broker, topic, group } = await topicWith(1, (t) => upTo(8).map((n) => record(t, "k", n)));
    const calls: number[][] = [];
    let failures = 0;
    await subscribe(broker, {
      group,
      topics: [topic],
      maxBatch: 2,
      maxInFlight: 8,
      handle: async (records) => {
        calls.push(numbers(records));
        if (records[0]?.headers.n === "3" && failures++ === 0) throw new Error("handler failed on purpose");
      },
    });
    await waitFor(() => calls.filter((c) => c[0] === 3).length >= 2 && calls.at(-1)?.includes(8), { what: "the records after the failure again" });
    const retried = calls.slice(calls.findLastIndex((c) => c[0] === 3)).flat();
    expect(retried).toEqual([3, 4, 5, 6, 7, 8]);
    expect(calls.flat().filter((n) => n === 1)).toEqual([1]);
    await waitFor(async () => (await committed(group, topic, 0)) === 8n, { what: "the commit after the retry" });
  }, 30_000);

  test("close() aborts the signal of a blocked handler and resolves", async () => {
    const { broker, topic, group } = await topicWith(1, (t) => [record(t, "k", 1)]);
    let [started, aborted] = [false, false];
    const sub = await subscribe(broker, {
      group,
      topics: [topic],
      handle: async (_records, { signal }) => {
        started = true;
        signal.addEventListener("abort", () => (aborted = true));
        await untilAborted(signal);
      },
    });
    await waitFor(() => started, { what: "the handler to start" });
    await sub.close();
    expect(aborted).toBe(true);
  });

  test("by default a partition has one batch at a time in flight", async () => {
    const [slow, witness] = [keyOn(0, 2), keyOn(1, 2)];
    const { broker, topic, group } = await topicWith(2, (t) => upTo(6).map((n) => record(t, slow, n)));
    const batches: number[][] = [];
    const witnessed: ConsumedRecord[] = [];
    let [running, mostRunning] = [0, 0];
    await subscribe(broker, {
      group,
      topics: [topic],
      maxBatch: 2,
      handle: async (records) => {
        if (records[0]?.key === witness) return void witnessed.push(...records);
        mostRunning = Math.max(mostRunning, ++running);
        batches.push(numbers(records));
        // The first batch holds on until a record of the other partition went round: time enough
        // for a second batch of its own partition to be handed over, were that allowed.
        if (batches.length === 1) {
          await broker.publish([record(topic, witness, 1)]);
          await waitFor(() => witnessed.length >= 1, { what: "the other partition" });
        }
        running--;
      },
    });
    await waitFor(() => batches.flat().includes(6), { what: "every batch" });
    expect(mostRunning).toBe(1);
    expect(batches).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  test("a member losing a partition stops its handlers of it before the new owner gets a record", async () => {
    const { broker, topic, group } = await topicWith(2, (t) => upTo(20).map((n) => record(t, `order-${n}`, n)));
    const events: string[] = [];
    const runningOnA = [0, 0];
    const overlaps: ConsumedRecord[] = [];
    const a = await subscribe(broker, {
      group,
      topics: [topic],
      handle: async (records, { signal }) => {
        const partition = records[0]!.partition;
        runningOnA[partition]!++;
        try {
          await untilAborted(signal);
        } finally {
          events.push(`a aborted ${partition}`);
          await Bun.sleep(50); // winding down takes a while: the new owner must wait for it
          runningOnA[partition]!--;
        }
      },
    });
    await waitFor(() => runningOnA[0] === 1 && runningOnA[1] === 1, { what: "a to block on both partitions" });
    const onB: ConsumedRecord[] = [];
    await subscribe(broker, {
      group,
      topics: [topic],
      handle: async (records) => {
        const partition = records[0]!.partition;
        if (runningOnA[partition]! > 0) overlaps.push(...records);
        events.push(`b got ${partition}`);
        onB.push(...records);
      },
    });
    await waitFor(() => onB.length > 0, { what: "b to take a partition" });
    const taken = onB[0]!.partition;
    expect(events.indexOf(`a aborted ${taken}`)).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(`a aborted ${taken}`)).toBeLessThan(events.indexOf(`b got ${taken}`));

    await a.close(); // a still blocks on the partition it kept: closing aborts that too, b takes both
    await waitFor(() => onB.length >= 20, { what: "b to have every record" });
    expect(overlaps).toEqual([]);
    expect(new Set(onB.map((r) => `${r.partition}:${r.offset}`)).size).toBe(20);
  }, 30_000); // two rebalances on Kafka
}
