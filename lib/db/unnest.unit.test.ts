import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, sql } from "drizzle-orm";
import { bigserial, integer, jsonb, PgDialect, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { testEngines } from "../testing/index.ts";
import { rowsOf } from "./rows.ts";
import type { Database } from "./types.ts";
import { anyOf, columnArray, inListLimit, unnestRows } from "./unnest.ts";

const parcels = pgTable("unnest_parcels", {
  id: text("id").primaryKey(),
  weight: integer("weight"),
  label: jsonb("label").$type<{ to: string }>().notNull(),
  sentAt: timestamp("sent_at", { withTimezone: true }).notNull(),
  note: text("note").notNull().default("none"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

const serials = pgTable("unnest_serials", { id: bigserial("id", { mode: "number" }).primaryKey(), name: text("name").notNull() });

// Values a text array must carry exactly: the array literal's own syntax, escapes, nulls, Unicode.
const awkward = ['{"a",b}', "back\\slash", 'quo"te', "NULL", "", "東京都 千代田区", "comma, and } brace"];

for (const engine of testEngines()) {
  describe(`columnArray on ${engine.name}`, () => {
    let database: Database;
    let close: () => Promise<void>;
    beforeAll(async () => ({ database, close } = await engine.open()), 60_000);
    afterAll(() => close(), 60_000);

    test("every value comes back as sent, row by row, whatever its type", async () => {
      const at = new Date("2026-11-30T12:34:56.789Z");
      const documents = awkward.map((text, i) => ({ text, i, nested: [text, null] }));
      const result = await database.db.execute(sql`select t, n, d, j from unnest(
        ${columnArray([...awkward, null], "text")},
        ${columnArray([...awkward.map((_, i) => i), null], "integer")},
        ${columnArray([...awkward.map(() => at), null], "timestamptz")},
        ${columnArray([...documents, null], "jsonb")}) as rows(t, n, d, j)`);
      const rows = rowsOf<{ t: string | null; n: number | null; d: unknown; j: unknown }>(result);
      expect(rows.map((row) => row.t)).toEqual([...awkward, null]);
      expect(rows.map((row) => row.n)).toEqual([...awkward.map((_, i) => i), null]);
      expect(rows.map((row) => (row.d === null ? null : new Date(String(row.d instanceof Date ? row.d.toISOString() : row.d)).getTime()))).toEqual([...awkward.map(() => at.getTime()), null]);
      const json = rows.map((row) => (typeof row.j === "string" ? JSON.parse(row.j) : row.j));
      expect(json).toEqual([...documents, null]);
    });

    test("unnestRows: drizzle's insert-select keeps on-conflict and returning, and gives rows back typed", async () => {
      await database.db.execute(sql`create table unnest_parcels (id text primary key, weight integer, label jsonb not null, sent_at timestamptz not null, note text not null default 'none', created_at timestamptz not null default now())`);
      const sentAt = new Date("2026-11-30T01:02:03.004Z");
      const rows = awkward.map((text, i) => ({ id: `p${i}`, weight: i === 0 ? null : i, label: { to: text }, sentAt, note: text, createdAt: sentAt }));
      const first = await database.db.insert(parcels).select(unnestRows(parcels, rows)).onConflictDoNothing().returning();
      expect(first).toEqual(rows);
      // A field left out takes the schema's default value.
      const { note: _, ...withoutNote } = rows[0]!;
      const again = await database.db.insert(parcels).select(unnestRows(parcels, [rows[0]!, { ...withoutNote, id: "p-new" }])).onConflictDoNothing().returning({ id: parcels.id, note: parcels.note });
      expect(again).toEqual([{ id: "p-new", note: "none" }]);
    });

    test("unnestRows refuses a row that leaves a column to an SQL default (a select cannot ask for it)", () => {
      expect(() => unnestRows(parcels, [{ id: "p", label: { to: "x" }, sentAt: new Date() }])).toThrow(/createdAt defaults to what only the database computes/);
    });

    test("one statement text for one row and for many", async () => {
      const texts: string[] = [];
      for (const n of [1, 50]) {
        const query = sql`select count(*) from unnest(${columnArray(Array.from({ length: n }, (_, i) => `v${i}`), "text")})`;
        texts.push(new PgDialect().sqlToQuery(query).sql);
        const [row] = rowsOf<{ count: number | string }>(await database.db.execute(query));
        expect(Number(row!.count)).toBe(n);
      }
      expect(texts[0]).toBe(texts[1]!);
    });

    test("anyOf matches the rows inArray matches: a list for a few values, beyond that one statement text for any number, none for no values", async () => {
      const ids = Array.from({ length: 60 }, (_, i) => `a${i}`);
      const at = new Date("2026-11-30T00:00:00Z");
      await database.db.insert(parcels).values(ids.map((id, i) => ({ id, weight: i, label: { to: id }, sentAt: at, createdAt: at })));
      const texts = new Map<number, string>();
      const cases = [["a7"], ["a3", "missing", "a59"], ids.slice(0, inListLimit), ids.slice(0, inListLimit + 1), ids.slice(10, 50), [...ids.slice(20, 30), "missing"]];
      for (const wanted of cases) {
        const query = database.db.select({ id: parcels.id }).from(parcels).where(anyOf(parcels.id, wanted)).orderBy(parcels.weight);
        texts.set(wanted.length, query.toSQL().sql);
        expect((await query).map((row) => row.id)).toEqual(wanted.filter((id) => ids.includes(id)));
      }
      expect(texts.get(1)).toContain(" in (");
      expect(texts.get(inListLimit)).toContain(" in (");
      expect(new Set([inListLimit + 1, 40, 11].map((n) => texts.get(n))).size).toBe(1);
      expect(texts.get(40)).toContain(" = any(");
      // An integer column: the array is cast to its type. (The tests before left parcels of their own.)
      const weights = Array.from({ length: inListLimit + 2 }, (_, i) => i * 5);
      const byWeight = await database.db.select({ id: parcels.id }).from(parcels).where(and(anyOf(parcels.weight, weights), anyOf(parcels.id, ids)));
      expect(byWeight.map((row) => row.id).sort()).toEqual(weights.map((w) => `a${w}`).sort());
      expect(await database.db.select({ id: parcels.id }).from(parcels).where(anyOf(parcels.id, []))).toEqual([]);
      // A serial column's array is of its integer type (there is no bigserial[]).
      await database.db.execute(sql`create table if not exists unnest_serials (id bigserial primary key, name text not null)`);
      await database.db.insert(serials).values([{ name: "one" }, { name: "two" }, { name: "three" }]);
      const picked = await database.db.select({ name: serials.name }).from(serials).where(anyOf(serials.id, [1, 3, ...Array.from({ length: inListLimit }, (_, i) => 100 + i)])).orderBy(serials.id);
      expect(picked.map((row) => row.name)).toEqual(["one", "three"]);
    });
  });
}
