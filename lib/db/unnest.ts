import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

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

/**
 * The rows of a multi-row insert as `select * from unnest(…)`, one array per column in the table's
 * column order, for drizzle's `insert(table).select(…)` (which names every column, and keeps its
 * on-conflict and returning). A select cannot ask for a column's default, so every field is given;
 * one left undefined on a column with a default is a mistake, refused, and otherwise null.
 */
export function unnestRows<T extends PgTable>(table: T, rows: ReadonlyArray<T["$inferInsert"]>): SQL {
  const arrays = Object.entries(getTableColumns(table)).map(([field, column]) => {
    const values = rows.map((row) => (row as Record<string, Parameters<typeof toText>[0]>)[field]);
    if (column.hasDefault && values.includes(undefined)) throw new Error(`unnestRows: ${field} has a default, which a select cannot take; give it`);
    return columnArray(values, column.getSQLType());
  });
  return sql`select * from unnest(${sql.join(arrays, sql`, `)})`;
}
