import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import type { Database, Db } from "./types.ts";

/**
 * Embedded PostgreSQL (WASM). `dataDir` keeps the data across restarts; undefined keeps it in
 * memory (tests). PGlite has one connection: transactions queue behind each other.
 */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const client = await PGlite.create(dataDir);
  const db = drizzle({ client }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    async listen(channel, onNotify) {
      const unlisten = await client.listen(channel, onNotify);
      return unlisten;
    },
    exclusively: (_lockName, work) => work(),
    close: () => client.close(),
  };
}
