import { type SQL, sql } from "drizzle-orm";

/**
 * One column of a multi-row insert, as a single array parameter: `unnest($1::text[]::jsonb[], …)`
 * gives the rows. The statement's text is then the same whatever the number of rows, so it is
 * prepared once per connection (small-statements.ts) instead of parsed and planned for every batch
 * size, and its few parameters cost less to send than one per value. Every value travels as text
 * (null as NULL) and is cast by the statement: both drivers (postgres.js, PGlite) send a text[] the
 * same way, where their own typing of jsonb or timestamp arrays differs.
 */
export function columnArray(values: ReadonlyArray<string | number | boolean | Date | object | null | undefined>, type: string): SQL {
  const texts = values.map(toText);
  return sql`${sql.param(texts)}::text[]::${sql.raw(type)}[]`;
}

function toText(value: string | number | boolean | Date | object | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
