/** One item's answer from a batch: its value, or the error that item alone failed with. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export type GroupCommitOptions<I, O> = {
  /** At most this many items in one batch. */
  maxBatch: number;
  /** At most this many batches in flight; what arrives meanwhile waits and forms the next batch. */
  concurrency: number;
  /**
   * Writes several items together (one transaction): one answer per item, in their order. It
   * throws when the batch as a whole failed; then every item is run again alone by `runOne`, so
   * that one bad item fails alone and the others are written.
   */
  runBatch(items: I[]): Promise<Settled<O>[]>;
  /** Writes one item on its own: a batch of one, and each item of a batch that failed. */
  runOne(item: I): Promise<O>;
  /** A batch failed as a whole and went item by item. */
  onFallback?(error: unknown, items: number): void;
  /**
   * A batch still in flight after this long gives its slot up: it goes on, and its items wait for
   * it, but the items behind it are written by another round trip. A write stuck on a lock or a
   * slow disk then holds back its own items, not every item after it. Without it, slots are held
   * until the batch ends. (A timer only on a batch that is already late: nothing waits for it.)
   */
  slowAfterMs?: number;
};

type Waiting<I, O> = { item: I; resolve(value: O): void; reject(error: unknown): void };

/**
 * Group commit without a timer: an item that finds a free slot is written at once, alone; items
 * that arrive while `concurrency` batches are in flight wait, and the next free slot takes all of
 * them (up to `maxBatch`) in one batch. Under no load nothing waits; under load each round trip
 * carries what accumulated during the last one, which is how a few transactions per second become
 * thousands of writes per second. Items are taken in arrival order.
 *
 * Written here rather than taken from a library: the batching libraries on npm (dataloader,
 * p-batch and the like) collect for a tick or a linger time, which is a wait on an idle system,
 * and none falls back to one-by-one when a batch fails.
 */
export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>) {
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;

  // Every path settles every item: a writer or a hook that throws must never leave a slot taken
  // and its callers waiting for good.
  const alone = (item: I): Promise<Settled<O>> => {
    let written: Promise<O>;
    try {
      written = options.runOne(item);
    } catch (error) {
      return Promise.resolve({ ok: false, error });
    }
    return written.then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  };

  /** One answer per item of the batch; never throws. */
  async function write(items: I[]): Promise<Settled<O>[]> {
    if (items.length === 1) return [await alone(items[0]!)];
    try {
      const answers = await options.runBatch(items);
      return items.map((_, i) => answers[i] ?? { ok: false, error: new Error("the batch gave no answer for this item") });
    } catch (error) {
      try {
        options.onFallback?.(error, items.length);
      } catch {
        // Only a report: the items still go one by one.
      }
      return Promise.all(items.map(alone));
    }
  }

  function next(): void {
    while (inFlight < options.concurrency && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      inFlight++;
      let holdsSlot = true;
      const freeSlot = () => {
        if (!holdsSlot) return;
        holdsSlot = false;
        inFlight--;
        next();
      };
      const slow = options.slowAfterMs === undefined ? undefined : setTimeout(freeSlot, options.slowAfterMs);
      void write(batch.map((waiting) => waiting.item)).then((answers) => {
        clearTimeout(slow);
        // The slot is free before anyone hears back, so a caller that submits again at once finds it free.
        freeSlot();
        batch.forEach((waiting, i) => (answers[i]!.ok ? waiting.resolve(answers[i]!.value) : waiting.reject(answers[i]!.error)));
      });
    }
  }

  return {
    /** The item's answer, once the batch it went in is written. */
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        next();
      });
    },
  };
}

export type GroupCommit<I, O> = ReturnType<typeof createGroupCommit<I, O>>;
