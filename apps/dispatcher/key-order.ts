/**
 * Per-key order across the batches of a partition that are delivered at the same time (the broker
 * hands the next batches over while earlier ones still run). A batch `enter`s with its keys; for
 * each key already held by an earlier batch it gets that batch's completion to wait for, and it
 * must `settle` each of its keys: `true` when every event of the key is finished (delivered or
 * dead-lettered), `false` when it gave up (the later batches then give up on the key too, and the
 * broker delivers all of them again from the committed offset, in order).
 */
export class KeyOrder {
  private readonly tails = new Map<string, Promise<boolean>>();

  enter(keys: Iterable<string>): Ticket {
    const before = new Map<string, Promise<boolean>>();
    const settlers = new Map<string, (ok: boolean) => void>();
    for (const key of new Set(keys)) {
      const earlier = this.tails.get(key);
      if (earlier) before.set(key, earlier);
      let resolve: (ok: boolean) => void = () => {};
      const mine = new Promise<boolean>((r) => (resolve = r));
      this.tails.set(key, mine);
      settlers.set(key, (ok) => {
        settlers.delete(key);
        resolve(ok);
        if (this.tails.get(key) === mine) this.tails.delete(key);
      });
    }
    return { before, settle: (key, ok) => settlers.get(key)?.(ok), settleRest: () => [...settlers.values()].forEach((settle) => settle(false)) };
  }

  /** Keys some batch is still working on (for tests and metrics). */
  get busy(): number {
    return this.tails.size;
  }
}

export type Ticket = {
  /** For each key an earlier batch holds: resolves when that batch settled the key, true if it finished it. */
  before: Map<string, Promise<boolean>>;
  /** Settles one key; a second call is ignored. */
  settle(key: string, ok: boolean): void;
  /** Settles every key not settled yet as given up. */
  settleRest(): void;
};
