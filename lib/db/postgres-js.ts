import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { postgresConnection } from "./connection-url.ts";
import { preparingSmallStatements } from "./small-statements.ts";
import { holdingAdvisoryLock } from "./advisory-lock.ts";
import type { Database, Db } from "./types.ts";

/**
 * PostgreSQL through postgres.js (DATABASE_DRIVER=postgres.js): the fallback to Bun.SQL (bun-sql.ts),
 * and the client of LISTEN for both. A small pool, since a 2-core box gains nothing from a big one.
 * `url` may name a Unix socket directory as libpq does (`?host=/var/run/postgresql`).
 */
export async function createPostgresJsDatabase(databaseUrl: string, options: { max?: number } = {}): Promise<Database> {
  const { url, path } = postgresConnection(databaseUrl);
  const client = postgres(url, { max: options.max ?? 5, onnotice: () => {}, ...(path ? { path } : {}) });
  const db = drizzle({ client: preparingSmallStatements(client) }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    async listen(channel, onNotify) {
      const { unlisten } = await client.listen(channel, (payload) => onNotify(payload));
      return unlisten;
    },
    exclusively: (lockName, work) => holdingAdvisoryLock(() => client.reserve(), lockName, work),
    close: () => client.end({ timeout: 5 }),
  };
}
