import { type Database, migrate } from "../db/index.ts";
import { createTestDatabase } from "./database.ts";
import { createScratchDatabase } from "./postgres.ts";
import { tryGetServiceUrl } from "./services.ts";

/** A database engine a suite runs on: opened fresh and migrated, closed (and dropped) after. */
export type TestEngine = { name: string; open(): Promise<{ database: Database; close(): Promise<void> }> };

const pglite: TestEngine = {
  name: "PGlite",
  async open() {
    const database = await createTestDatabase();
    return { database, close: () => database.close() };
  },
};

function postgresAt(url: string): TestEngine {
  return {
    name: "PostgreSQL",
    async open() {
      const scratch = await createScratchDatabase(url);
      const database = await scratch.open();
      await migrate(database);
      return {
        database,
        async close() {
          await database.close();
          await scratch.drop();
        },
      };
    },
  };
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set (required under ORDERFLOW_REQUIRE_SERVICES=1). */
export function testEngines(): TestEngine[] {
  const url = tryGetServiceUrl("postgres");
  return url ? [pglite, postgresAt(url)] : [pglite];
}
