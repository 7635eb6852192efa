/**
 * `db.execute(sql)` returns the driver's own result: postgres.js gives an array of rows, PGlite an
 * object with `rows`. Raw SQL is rare here (locks, notify); this reads both.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
