import { getTableColumns, inArray, is, SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { perObject } from "../cache/index.ts";
import { AppError } from "../errors/index.ts";

type ColumnValue = string | number | boolean | Date | object | null | undefined;

/**
 * One column of a multi-row insert, as a single array parameter: `unnest($1::text[]::jsonb[], …)`
 * gives the rows. The statement's text is then the same whatever the number of rows, so it is
 * prepared once per connection (small-statements.ts) instead of parsed and planned for every batch
 * size, and its few parameters cost less to send than one per value. Every value travels as text
 * (null as NULL) and is cast by the statement: both drivers (postgres.js, PGlite) send a text[] the
 * same way, where their own typing of jsonb or timestamp arrays differs.
 */
export function columnArray(values: ReadonlyArray<ColumnValue>, type: string): SQL {
  const texts = values.map(toText);
  const asText = sql`${sql.param(texts)}::text[]`;
  return type === "text" ? asText : sql`${asText}::${sql.raw(type)}[]`;
}

function toText(value: ColumnValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * drizzle's `inArray(column, values)` for a batch's keys: up to `inListLimit` values an `IN` list as
 * drizzle writes it, beyond that `column = any($1::<type>[])`, one array parameter. An `IN` list has
 * a parameter per value, so each batch size was another statement text, parsed and planned anew
 * (and past 32 parameters never prepared, small-statements.ts), with a parameter per key to build
 * and send. A few keys cost less as a list than as an array (no array literal to write and parse),
 * and there are only `inListLimit` such texts. No values matches no row, as `inArray` with none does.
 *
 * Measured (PostgreSQL, an update by bigserial ids, client CPU per statement): 50 ids 0.64–1.08 ms as
 * a list, 0.24–0.35 as an array; 200 ids 1.05–1.58 against 0.37–0.48; 1–5 ids 0.16–0.35 as a list,
 * 0.23–0.44 as an array.
 */
export function anyOf(column: PgColumn, values: ReadonlyArray<ColumnValue>): SQL {
  if (values.length <= inListLimit) return inArray(column, values as unknown[]);
  return sql`${column} = any(${columnArray(values, valueType(column.getSQLType()))})`;
}

/** Up to this many values anyOf writes drizzle's IN list: cheaper than an array for a few, and only this many texts. */
export const inListLimit = 8;

/** A serial column's values are of its integer type (there is no `bigserial[]`). */
const serialTypes: Record<string, string> = { smallserial: "smallint", serial: "integer", bigserial: "bigint" };
const valueType = (sqlType: string) => serialTypes[sqlType] ?? sqlType;

/**
 * The rows of a multi-row insert as `select * from unnest(…)`, one array per column in the table's
 * column order, for drizzle's `insert(table).select(…)` (which names every column, and keeps its
 * on-conflict and returning). A field left undefined takes the column's default as drizzle's schema
 * declares it (a value, or its function); a select cannot ask the database for a default only it
 * computes (now(), a serial's next value), so such a field must be given, or it is refused.
 */
export function unnestRows<T extends PgTable>(table: T, rows: ReadonlyArray<T["$inferInsert"]>): SQL {
  const arrays = insertedColumns(table).map(([field, column]) => {
    const values = rows.map((row) => {
      const value = (row as Record<string, ColumnValue>)[field];
      if (value !== undefined || !column.hasDefault) return value;
      const fallback: unknown = column.defaultFn ? column.defaultFn() : column.default;
      // now(), or a serial's nextval that only the database knows: a select cannot ask for either.
      if (fallback === undefined || is(fallback, SQL)) {
        throw new AppError("db.default_in_select", `unnestRows: ${field} defaults to what only the database computes; give it`);
      }
      return fallback as ColumnValue;
    });
    return columnArray(values, column.getSQLType());
  });
  return sql`select * from unnest(${sql.join(arrays, sql`, `)})`;
}

/**
 * The columns drizzle's insert names, in its order: all but those generated always (column.js,
 * shouldDisableInsert). Remembered per table: getTableColumns copies the table's columns on
 * every call, and every batch insert asks.
 */
const insertedColumns = perObject((table: PgTable): ReadonlyArray<[string, PgColumn]> =>
  Object.entries(getTableColumns(table)).filter(([, column]) => column.generated === undefined || column.generated.type === "byDefault"),
);
