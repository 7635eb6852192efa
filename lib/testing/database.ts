import { createPgliteDatabase, type Database, migrate } from "../db/index.ts";

/** A fresh in-memory PGlite with every migration applied: one per test file is enough. */
export async function createTestDatabase(): Promise<Database> {
  const database = await createPgliteDatabase();
  await migrate(database);
  return database;
}
