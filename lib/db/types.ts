import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";

/**
 * The database port. Adapters: `pglite.ts` (embedded, a folder on disk), and PostgreSQL through
 * `bun-sql.ts` (Bun.SQL) or `postgres-js.ts` (postgres.js), chosen in `postgres.ts`. All speak
 * PostgreSQL, so drizzle queries and migrations are the same for all.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = PgTransaction<PgQueryResultHKT>;
/** What store functions take: the database itself or an open transaction. */
export type Executor = Db | Tx;

export type Database = {
  readonly kind: "pglite" | "postgres";
  readonly db: Db;
  /** LISTEN: `onNotify` runs for each NOTIFY on the channel, delivered when the sender commits. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Runs `work` while holding a cluster-wide lock, so that several processes starting at once
   * (one per service) do not apply the same migration twice. PGlite has one process: no lock.
   */
  exclusively<T>(lockName: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
};
