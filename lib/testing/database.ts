import { createPgliteDatabase } from "../db/pglite.ts";
import { migrate } from "../db/migrate.ts";
import type { Database } from "../db/types.ts";

/** A fresh in-memory PGlite with every migration applied: one per test file is enough. */
export async function createTestDatabase(): Promise<Database> {
  const database = await createPgliteDatabase();
  await migrate(database);
  return database;
}
