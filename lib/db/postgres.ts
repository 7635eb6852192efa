import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { postgresConnection } from "./connection-url.ts";
import { preparingSmallStatements } from "./small-statements.ts";
import type { Database, Db } from "./types.ts";

/**
 * PostgreSQL through postgres.js; a small pool, since a 2-core box gains nothing from a big one.
 * `url` may name a Unix socket directory as libpq does (`?host=/var/run/postgresql`).
 */
export async function createPostgresDatabase(databaseUrl: string, options: { max?: number } = {}): Promise<Database> {
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
    async exclusively(lockName, work) {
      // A session-level advisory lock needs one connection for its whole life: reserve it.
      const connection = await client.reserve();
      try {
        await connection`select pg_advisory_lock(hashtext(${lockName}))`;
        return await work();
      } finally {
        await connection`select pg_advisory_unlock(hashtext(${lockName}))`.catch(() => {});
        connection.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}
