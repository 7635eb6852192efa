import { describe, expect, jest, test } from "bun:test";
import { waitFor } from "../testing/index.ts";
import { createGroupCommit, type Settled } from "./index.ts";

/** A writer whose round trips finish when the test says so, recording what each one carried. */
function gatedWriter(options: { concurrency?: number; maxBatch?: number; failBatch?: boolean; failItem?: number; slowAfterMs?: number } = {}) {
  const batches: number[][] = [];
  const alone: number[] = [];
  const gates: Array<() => void> = [];
  const gate = () => new Promise<void>((resolve) => gates.push(resolve));
  const fallbacks: number[] = [];
  const commit = createGroupCommit<number, string>({
    maxBatch: options.maxBatch ?? 100,
    concurrency: options.concurrency ?? 1,
    async runBatch(items) {
      batches.push(items);
      await gate();
      if (options.failBatch) throw new Error("batch failed");
      return items.map((item): Settled<string> => (item === options.failItem ? { ok: false, error: new Error(`item ${item}`) } : { ok: true, value: `batch:${item}` }));
    },
    async runOne(item) {
      alone.push(item);
      await gate();
      if (item === options.failItem) throw new Error(`item ${item}`);
      return `one:${item}`;
    },
    onFallback: (_error, items) => void fallbacks.push(items),
    ...(options.slowAfterMs === undefined ? {} : { slowAfterMs: options.slowAfterMs }),
  });
  /** Opens every gate until nothing is pending (each opened round trip may start the next). */
  const openAll = async () => {
    for (let i = 0; i < 100; i++) {
      await Bun.sleep(0);
      const open = gates.splice(0);
      if (open.length === 0) return;
      open.forEach((resolve) => resolve());
    }
  };
  /** Opens the oldest round trip's gate only. */
  const openFirst = () => gates.shift()?.();
  return { commit, batches, alone, fallbacks, gates, openAll, openFirst, pending: () => gates.length };
}

describe("createGroupCommit", () => {
  test("an item that finds a free slot goes at once, alone", async () => {
    const w = gatedWriter();
    const answer = w.commit.submit(1);
    expect(w.alone).toEqual([1]);
    await w.openAll();
    expect(await answer).toBe("one:1");
    expect(w.batches).toEqual([]);
  });

  test("items arriving while the slot is busy form the next batch, each answered on its own", async () => {
    const w = gatedWriter();
    const answers = [1, 2, 3, 4].map((i) => w.commit.submit(i));
    expect(w.alone).toEqual([1]);
    expect(w.batches).toEqual([]);
    await w.openAll();
    expect(w.batches).toEqual([[2, 3, 4]]);
    expect(await Promise.all(answers)).toEqual(["one:1", "batch:2", "batch:3", "batch:4"]);
  });

  test("at most maxBatch items in a batch, in arrival order", async () => {
    const w = gatedWriter({ maxBatch: 2 });
    const answers = [1, 2, 3, 4, 5, 6].map((i) => w.commit.submit(i));
    await w.openAll();
    await Promise.all(answers);
    expect(w.alone).toEqual([1, 6]);
    expect(w.batches).toEqual([[2, 3], [4, 5]]);
  });

  test("at most `concurrency` round trips in flight", async () => {
    const w = gatedWriter({ concurrency: 2 });
    const answers = [1, 2, 3, 4].map((i) => w.commit.submit(i));
    expect(w.pending()).toBe(2);
    expect(w.alone).toEqual([1, 2]);
    await w.openAll();
    expect(await Promise.all(answers)).toEqual(["one:1", "one:2", "batch:3", "batch:4"]);
  });

  test("a batch still running after slowAfterMs gives its slot up: the items behind it are written meanwhile", async () => {
    const w = gatedWriter({ concurrency: 1, slowAfterMs: 20 });
    const stuck = w.commit.submit(1);
    const behind = [2, 3].map((i) => w.commit.submit(i));
    expect(w.pending()).toBe(1);
    // The first round trip never ends on its own; the others get a slot of their own once it is late.
    await waitFor(() => w.batches.length === 1, { timeoutMs: 5_000, intervalMs: 5, what: "the items behind the stuck one to be written" });
    expect(w.batches).toEqual([[2, 3]]);
    w.gates.splice(1, 1)[0]!();
    expect(await Promise.all(behind)).toEqual(["batch:2", "batch:3"]);
    let answered = false;
    void stuck.then(() => (answered = true));
    await Bun.sleep(0);
    expect(answered).toBe(false);
    w.openFirst();
    expect(await stuck).toBe("one:1");
    // Its slot was given up already: it is not given back twice (one in flight at most again).
    const [a, b] = [4, 5].map((i) => w.commit.submit(i));
    expect(w.pending()).toBe(1);
    await w.openAll();
    expect(await Promise.all([a, b])).toEqual(["one:4", "one:5"]);
  });

  test("without slowAfterMs a batch keeps its slot however long it runs", async () => {
    // An hour passes on a fake clock: any timer that could give the slot up has fired by then.
    jest.useFakeTimers();
    const w = gatedWriter({ concurrency: 1 });
    const answers = [1, 2].map((i) => w.commit.submit(i));
    try {
      jest.advanceTimersByTime(3_600_000);
      await Promise.resolve();
      expect(w.pending()).toBe(1);
      expect(w.alone).toEqual([1]);
      expect(w.batches).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
    await w.openAll();
    expect(await Promise.all(answers)).toEqual(["one:1", "one:2"]);
  });

  test("one item's own failure fails that item only", async () => {
    const w = gatedWriter({ failItem: 3 });
    const answers = [1, 2, 3, 4].map((i) => w.commit.submit(i).catch((error: Error) => error.message));
    await w.openAll();
    expect(await Promise.all(answers)).toEqual(["one:1", "batch:2", "item 3", "batch:4"]);
    expect(w.fallbacks).toEqual([]);
  });

  test("a batch that fails as a whole goes again item by item, so only the bad item fails", async () => {
    const w = gatedWriter({ failBatch: true, failItem: 3 });
    const answers = [1, 2, 3, 4].map((i) => w.commit.submit(i).catch((error: Error) => error.message));
    await w.openAll();
    expect(await Promise.all(answers)).toEqual(["one:1", "one:2", "item 3", "one:4"]);
    expect(w.fallbacks).toEqual([3]);
    expect(w.alone).toEqual([1, 2, 3, 4]);
  });
});

test("a writer that throws at once, or a fallback report that throws, still answers every item and frees its slot", async () => {
  const commit = createGroupCommit<number, number>({
    maxBatch: 10,
    concurrency: 1,
    runOne: ((item: number) => {
      if (item === 2) throw new Error("thrown, not rejected");
      return Promise.resolve(item);
    }) as (item: number) => Promise<number>,
    runBatch: async () => {
      throw new Error("batch failed");
    },
    onFallback: () => {
      throw new Error("the report failed");
    },
  });
  const answers = await Promise.allSettled([1, 2, 3].map((i) => commit.submit(i)));
  expect(answers.map((a) => (a.status === "fulfilled" ? a.value : (a.reason as Error).message))).toEqual([1, "thrown, not rejected", 3]);
  expect(await commit.submit(4)).toBe(4);
});
