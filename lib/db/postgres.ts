import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { preparingSmallStatements } from "./small-statements.ts";
import type { Database, Db } from "./types.ts";

/** PostgreSQL through postgres.js; a small pool, since a 2-core box gains nothing from a big one. */
export async function createPostgresDatabase(url: string, options: { max?: number } = {}): Promise<Database> {
  const client = postgres(url, { max: options.max ?? 5, onnotice: () => {} });
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
