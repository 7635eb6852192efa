export { migrate } from "./migrate.ts";
export { createPgliteDatabase } from "./pglite.ts";
export { createPostgresDatabase, defaultPostgresDriver, isPostgresDriver, type PostgresDriver, postgresDrivers } from "./postgres.ts";
export { rowsOf } from "./rows.ts";
export { lockInKeyOrder } from "./advisory-lock.ts";
export { anyOf, columnArray, unnestRows } from "./unnest.ts";
export type { Database, Db, Executor } from "./types.ts";
