import { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import postgres from "postgres";
import { postgresConnection } from "./connection-url.ts";
import { holdingAdvisoryLock } from "./advisory-lock.ts";
import type { Database, Db } from "./types.ts";

/**
 * PostgreSQL through Bun's own driver (Bun.SQL): its protocol code is native, so a statement costs
 * the single JS thread about half of what postgres.js costs. It prepares every statement text and
 * keeps the 1,024 each connection used last, so the cache is bounded whatever the batch sizes.
 * Bun.SQL has no LISTEN: notifications come through one postgres.js connection, opened on the
 * first `listen`.
 */
export async function createBunSqlDatabase(databaseUrl: string, options: { max?: number } = {}): Promise<Database> {
  const { url, path } = postgresConnection(databaseUrl);
  const client = new SQL({ url, max: options.max ?? 5, ...(path ? { path } : {}) });
  const db = drizzle({ client }) as unknown as Db;
  let listener: postgres.Sql | undefined;
  return {
    kind: "postgres",
    db,
    async listen(channel, onNotify) {
      listener ??= postgres(url, { max: 1, onnotice: () => {}, ...(path ? { path } : {}) });
      const { unlisten } = await listener.listen(channel, (payload) => onNotify(payload));
      return unlisten;
    },
    exclusively: (lockName, work) => holdingAdvisoryLock(() => client.reserve(), lockName, work),
    async close() {
      await Promise.all([client.close({ timeout: 5 }), listener?.end({ timeout: 5 })]);
    },
  };
}
