import { expect, test } from "bun:test";
import { waitFor } from "../testing/index.ts";
import { PartitionPipeline } from "./partition-pipeline.ts";
import type { ConsumedRecord, Delivery } from "./types.ts";

const records = (from: number, count: number): ConsumedRecord[] =>
  Array.from({ length: count }, (_, i) => ({ topic: "t", partition: 0, offset: BigInt(from + i), key: "k", value: new Uint8Array(), headers: {} }));

/** A pipeline whose handler calls wait until the test settles them. */
function given(options: { maxBatch: number; maxInFlight: number; from?: bigint }) {
  const calls: Array<{ offsets: number[]; delivery: Delivery; resolve: () => void; reject: (e: Error) => void }> = [];
  let changes = 0;
  const pipeline = new PartitionPipeline({
    from: options.from ?? 0n,
    maxBatch: options.maxBatch,
    maxInFlight: options.maxInFlight,
    onChange: () => changes++,
    handle: (batch, delivery) =>
      new Promise<void>((resolve, reject) => calls.push({ offsets: batch.map((r) => Number(r.offset)), delivery, resolve, reject })),
  });
  const handed = () => calls.map((c) => c.offsets);
  return { pipeline, calls, handed, changes: () => changes };
}

test("batches are handed over in order while the unfinished records fit maxInFlight; the rest waits", async () => {
  const { pipeline, calls, handed } = given({ maxBatch: 2, maxInFlight: 5 });
  expect(pipeline.room).toBe(5);
  pipeline.push(0n, records(0, 7));
  await waitFor(() => calls.length === 3);
  expect(handed()).toEqual([[0, 1], [2, 3], [4]]);
  expect(pipeline.room).toBe(0); // records wait: no fetch
  expect(pipeline.next).toBe(7n);
  calls[1]!.resolve();
  await waitFor(() => calls.length === 4);
  expect(handed()[3]).toEqual([5, 6]);
  expect(pipeline.committable).toBe(0n); // the first batch still runs
  calls[0]!.resolve();
  await waitFor(() => pipeline.committable === 4n);
});

test("the committable offset is the first unfinished record, or past the transaction markers a fetch skipped", async () => {
  const { pipeline, calls } = given({ maxBatch: 10, maxInFlight: 10, from: 5n });
  expect(pipeline.committable).toBe(5n);
  pipeline.push(5n, records(5, 2), 9n);
  expect(pipeline.next).toBe(9n);
  await waitFor(() => calls.length === 1);
  expect(pipeline.committable).toBe(5n);
  calls[0]!.resolve();
  await waitFor(() => pipeline.committable === 9n);
  expect(pipeline.room).toBe(10);
});

test("a failed batch stops the handover; once the others settled, fetching starts again from the committable offset after a backoff", async () => {
  const { pipeline, calls, handed, changes } = given({ maxBatch: 2, maxInFlight: 6 });
  pipeline.push(0n, records(0, 6));
  await waitFor(() => calls.length === 3);
  calls[0]!.resolve();
  calls[1]!.reject(new Error("failed"));
  await waitFor(() => pipeline.committable === 2n);
  expect(pipeline.room).toBe(0);
  pipeline.push(6n, records(6, 2)); // a fetch from before the failure: nothing more is handed over
  expect(handed()).toHaveLength(3);
  expect(pipeline.next).toBe(6n); // no restart while a batch still runs
  calls[2]!.resolve(); // finished, but after the failed batch: comes again
  await waitFor(() => pipeline.next === 2n);
  expect(pipeline.committable).toBe(2n);
  const before = changes();
  await waitFor(() => pipeline.room === 6, { what: "the backoff to end" });
  expect(changes()).toBeGreaterThan(before);
  pipeline.push(6n, records(6, 2)); // stale: fetched from where the partition was before the failure
  expect(handed()).toHaveLength(3);
  pipeline.push(2n, records(2, 4));
  await waitFor(() => calls.length === 5);
  expect(handed().slice(3)).toEqual([[2, 3], [4, 5]]);
});

test("stop aborts every batch in flight, hands over nothing more, and settles with what finished", async () => {
  const { pipeline, calls } = given({ maxBatch: 1, maxInFlight: 3 });
  pipeline.push(0n, records(0, 3));
  await waitFor(() => calls.length === 3);
  calls[0]!.delivery.signal.addEventListener("abort", () => calls[0]!.resolve()); // finishes when told to stop
  for (const call of calls.slice(1)) call.delivery.signal.addEventListener("abort", () => call.reject(new Error("aborted")));
  await pipeline.stop();
  expect(calls.every((c) => c.delivery.signal.aborted)).toBe(true);
  expect(pipeline.busy).toBe(false);
  expect(pipeline.committable).toBe(1n);
  expect(pipeline.room).toBe(0);
  pipeline.push(3n, records(3, 1));
  expect(calls).toHaveLength(3);
});

test("records fetched and not handed over are neither committed nor skipped when the partition stops", async () => {
  const { pipeline, calls } = given({ maxBatch: 2, maxInFlight: 2 });
  pipeline.push(0n, records(0, 6));
  await waitFor(() => calls.length === 1);
  calls[0]!.resolve();
  await waitFor(() => calls.length === 2);
  const stopped = pipeline.stop();
  calls[1]!.resolve(); // finished although aborted: done
  await stopped;
  expect(pipeline.committable).toBe(4n);
  expect(pipeline.next).toBe(4n);
});

test("a maxInFlight below maxBatch still lets one whole batch through", async () => {
  const { pipeline, calls, handed } = given({ maxBatch: 4, maxInFlight: 1 });
  expect(pipeline.room).toBe(4);
  pipeline.push(0n, records(0, 4));
  await waitFor(() => calls.length === 1);
  expect(handed()).toEqual([[0, 1, 2, 3]]);
});

test("a handler that throws at once fails its batch, not the caller", async () => {
  let thrown = 0;
  const pipeline = new PartitionPipeline({
    from: 0n,
    maxBatch: 1,
    maxInFlight: 1,
    onChange: () => {},
    handle: () => {
      thrown++;
      throw new Error("at once");
    },
  });
  pipeline.push(0n, records(0, 2));
  await waitFor(() => thrown === 1 && pipeline.next === 0n);
  expect(pipeline.committable).toBe(0n);
  await pipeline.stop();
});
