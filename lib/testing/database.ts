import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { createPgliteDatabase, type Database, type Db, migrate } from "../db/index.ts";

/** A fresh in-memory PGlite with every migration applied: one per test file is enough. */
export async function createTestDatabase(): Promise<Database> {
  const database = await createPgliteDatabase();
  await migrate(database);
  return database;
}

/** A test database that counts the statements sent through drizzle (begin and commit are not logged). */
export type CountedDatabase = { database: Database; statements: () => number };

/** createTestDatabase with a drizzle logger counting statements: how set-based handlers prove a constant count. */
export async function createCountingTestDatabase(): Promise<CountedDatabase> {
  const client = await PGlite.create();
  let statements = 0;
  const db = drizzle({ client, logger: { logQuery: () => void statements++ } }) as unknown as Db;
  const database: Database = {
    kind: "pglite",
    db,
    listen: (channel, onNotify) => client.listen(channel, onNotify),
    exclusively: (_lockName, work) => work(),
    close: () => client.close(),
  };
  await migrate(database);
  return { database, statements: () => statements };
}
