import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { lockInKeyOrder } from "./advisory-lock.ts";
import { rowsOf } from "./rows.ts";
import type { Database } from "./types.ts";

const url = tryGetServiceUrl("postgres");

describe.skipIf(!url)("lockInKeyOrder (PostgreSQL)", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let database: Database;
  beforeAll(async () => {
    scratch = await createScratchDatabase(url!);
    database = await scratch.open();
  }, 60_000);
  afterAll(async () => {
    await database.close();
    await scratch.drop();
  }, 60_000);

  /** Whether another connection could take the lock named `name` right now. */
  const free = async (name: string) =>
    database.db.transaction(async (tx) => rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${name})) as ok`))[0]!.ok);

  test("holds every named lock until its transaction ends, a name given twice included", async () => {
    const names = ["order:a", "order:b", "order:a", "order:c"];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const taken = new Promise<void>((resolve) => (locked = resolve));
    const holder = database.db.transaction(async (tx) => {
      await lockInKeyOrder(tx, names);
      locked();
      await held;
    });
    await taken;
    expect(await Promise.all(["order:a", "order:b", "order:c"].map(free))).toEqual([false, false, false]);
    expect(await free("order:d")).toBe(true);
    release();
    await holder;
    expect(await Promise.all(["order:a", "order:b", "order:c"].map(free))).toEqual([true, true, true]);
  });

  test("transactions taking the same locks in any order of names queue, never deadlock", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `order:${i}`);
    // Each takes every lock in a different order of names, then holds them a moment. Taken in the
    // order given, two of them would each wait for the other, and PostgreSQL would abort one.
    const shuffled = (seed: number) => names.map((name, i) => ({ name, rank: (i * 7 + seed * 5) % names.length })).sort((a, b) => a.rank - b.rank).map(({ name }) => name);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, seed) =>
        database.db.transaction(async (tx) => {
          await lockInKeyOrder(tx, shuffled(seed));
          await tx.execute(sql`select pg_sleep(0.01)`);
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
  }, 30_000);
});
