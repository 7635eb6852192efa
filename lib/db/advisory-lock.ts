import { sql } from "drizzle-orm";
import type { Executor } from "./types.ts";
import { columnArray } from "./unnest.ts";

/** A connection of the pool held for one caller: postgres.js' and Bun.SQL's `reserve()` both give one. */
type ReservedConnection = {
  (strings: TemplateStringsArray, ...values: string[]): Promise<unknown>;
  release(): void;
};

/**
 * Runs `work` holding a session-level advisory lock. Such a lock belongs to one connection for its
 * whole life, so one is reserved from the pool until the lock is given back.
 */
export async function holdingAdvisoryLock<T>(reserve: () => Promise<ReservedConnection>, lockName: string, work: () => Promise<T>): Promise<T> {
  const connection = await reserve();
  try {
    await connection`select pg_advisory_lock(hashtext(${lockName}))`;
    return await work();
  } finally {
    await connection`select pg_advisory_unlock(hashtext(${lockName}))`.catch(() => {});
    connection.release();
  }
}

/**
 * Takes the transaction-level advisory locks named `names` (held until commit or rollback), in the
 * order of their keys, in one statement. Every transaction that takes several takes them in that
 * order, so two of them queue instead of deadlocking (by key, not by name: that stays true when
 * two names hash to one key). The names travel as one text[] parameter, so the statement's text is
 * the same whatever their number and is prepared once per connection (small-statements.ts); a
 * parameter per name made each batch size another statement, parsed and planned anew.
 */
export async function lockInKeyOrder(tx: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  // The subquery's order is the order of the calls: PostgreSQL does not pull up a sorted subquery.
  // Its `distinct` takes a key once, whether two names are the same or only hash alike.
  await tx.execute(sql`
    select pg_advisory_xact_lock(lock_key)
    from (select distinct hashtext(name) as lock_key from unnest(${columnArray(names, "text")}) as name order by lock_key) as locks`);
}
