import { createBunSqlDatabase } from "./bun-sql.ts";
import { createPostgresJsDatabase } from "./postgres-js.ts";
import type { Database } from "./types.ts";

/**
 * The client a process talks to PostgreSQL with (DATABASE_DRIVER). Bun's own driver by default: at
 * the same load it costs the JS thread less per statement. postgres.js is the fallback; it also
 * carries LISTEN for both, since Bun.SQL has none. Both pass the same database contract.
 */
export const postgresDrivers = ["bun", "postgres.js"] as const;
export type PostgresDriver = (typeof postgresDrivers)[number];
export const defaultPostgresDriver: PostgresDriver = "bun";

export function isPostgresDriver(value: string): value is PostgresDriver {
  return (postgresDrivers as readonly string[]).includes(value);
}

export type PostgresOptions = { max?: number; driver?: PostgresDriver };

export function createPostgresDatabase(databaseUrl: string, options: PostgresOptions = {}): Promise<Database> {
  const { driver = defaultPostgresDriver, ...pool } = options;
  return driver === "bun" ? createBunSqlDatabase(databaseUrl, pool) : createPostgresJsDatabase(databaseUrl, pool);
}
