import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./types.ts";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Applies the drizzle-kit migrations in `drizzle/` (each once; recorded in drizzle.__drizzle_migrations). */
export async function migrate(database: Database): Promise<void> {
  await database.exclusively("orderflow:migrate", async () => {
    // Both migrators take the drizzle instance of their own driver; `db` is one of the two.
    if (database.kind === "pglite") await migratePglite(database.db as never, { migrationsFolder });
    else await migratePostgres(database.db as never, { migrationsFolder });
  });
}
