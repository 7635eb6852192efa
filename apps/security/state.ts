import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../../lib/db/index.ts";

/**
 * What "no state change" means here: every table of every service (found in the catalogue, so a
 * table added later is covered without a change here) keeps its row count and its content, and the
 * stock of every product stays where it was. A digest of each table's rows catches an UPDATE as
 * well as an INSERT or DELETE.
 */
export type Snapshot = Record<string, string>;

export type StateProbe = { snapshot(): Promise<Snapshot>; tables: string[] };

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function stateProbe(db: Db): Promise<StateProbe> {
  const found = rowsOf<{ table_schema: string; table_name: string }>(
    await db.execute(sql`
      select table_schema, table_name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema', 'drizzle')
      order by table_schema, table_name`),
  );
  const tables = found.map((row) => `${row.table_schema}.${row.table_name}`);
  // One statement per snapshot: it runs after every input, so it must be cheap.
  const columns = found.map(({ table_schema, table_name }, i) => {
    const table = `${quoted(table_schema)}.${quoted(table_name)}`;
    return `(select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from ${table} t) as c${i}`;
  });
  const stock = `(select coalesce(string_agg(product_id || '=' || available || '/' || reserved, ',' order by product_id), '') from inventory.products) as stock`;
  const query = sql.raw(`select ${[...columns, stock].join(", ")}`);
  return {
    tables,
    async snapshot() {
      const [row] = rowsOf<Record<string, unknown>>(await db.execute(query));
      const named: Snapshot = { stock: String(row?.stock) };
      tables.forEach((table, i) => (named[table] = String(row?.[`c${i}`])));
      return named;
    },
  };
}

/** The tables (and `stock`) whose content differs between two snapshots. */
export function changedBetween(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]);
}

/** Row counts out of a snapshot, for the report. */
export function rowCounts(snapshot: Snapshot): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(snapshot)) if (key !== "stock") counts[key] = Number(value.split(":")[0]);
  return counts;
}

/**
 * Waits until nothing moves for `quietMs` (the relay, the dispatcher and the services have
 * finished what earlier requests started), so that a check starts from a still state.
 */
export async function untilQuiet(probe: StateProbe, { quietMs = 400, timeoutMs = 30_000 } = {}): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe.snapshot();
  let stillSince = Date.now();
  while (Date.now() - stillSince < quietMs) {
    if (Date.now() > deadline) throw new Error(`the flow did not settle within ${timeoutMs} ms`);
    await Bun.sleep(50);
    const next = await probe.snapshot();
    if (changedBetween(last, next).length > 0) [last, stillSince] = [next, Date.now()];
  }
  return last;
}
