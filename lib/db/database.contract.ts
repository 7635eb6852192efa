import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { check, integer, pgSchema, text } from "drizzle-orm/pg-core";
import { claimEvent } from "../outbox/index.ts";
import { createTestMessagingTables, waitFor } from "../testing/index.ts";
import { migrate } from "./migrate.ts";
import { rowsOf } from "./rows.ts";
import type { Database } from "./types.ts";

/** A table of the contract's own, shaped like stock: a check constraint keeps reserved ≤ available. */
const contract = pgSchema("db_contract");
const products = contract.table(
  "products",
  { productId: text("product_id").primaryKey(), available: integer("available").notNull(), reserved: integer("reserved").notNull().default(0) },
  (t) => [check("products_stock_check", sql`${t.reserved} >= 0 and ${t.reserved} <= ${t.available}`)],
);

async function createContractTables(database: Database) {
  await database.db.execute(sql`create schema if not exists db_contract`);
  await database.db.execute(sql`create table if not exists db_contract.products (
    product_id text primary key, available integer not null, reserved integer not null default 0,
    constraint products_stock_check check (reserved >= 0 and reserved <= available))`);
  return createTestMessagingTables(database);
}

/** One contract for PGlite and PostgreSQL: what the services rely on from the database. */
export function databaseContract(label: string, open: () => Promise<{ database: Database; cleanup(): Promise<void> }>) {
  describe(`database contract: ${label}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let processedEvents: Awaited<ReturnType<typeof createContractTables>>["processedEvents"];
    beforeAll(async () => {
      ({ database, cleanup } = await open());
      await migrate(database);
      ({ processedEvents } = await createContractTables(database));
    }, 60_000);
    afterAll(async () => {
      await database.close();
      await cleanup();
    }, 60_000);
    const id = () => crypto.randomUUID();

    test("migrations apply once: running them again changes nothing", async () => {
      await migrate(database);
      const schemas = rowsOf<{ name: string }>(await database.db.execute(sql`select schema_name as name from information_schema.schemata`));
      expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(["orders", "payments", "inventory", "shipping", "notifications", "gateway"]));
    });

    test("a failed transaction leaves nothing behind", async () => {
      const productId = id();
      const attempt = database.db.transaction(async (tx) => {
        await tx.insert(products).values({ productId, available: 1 });
        throw new Error("abort");
      });
      expect(await attempt.then(() => undefined, (error: Error) => error.message)).toBe("abort");
      expect(await database.db.select().from(products).where(sql`${products.productId} = ${productId}`)).toEqual([]);
    });

    test("a rolled-back savepoint keeps the outer transaction's work", async () => {
      const [kept, dropped] = [id(), id()];
      await database.db.transaction(async (tx) => {
        await tx.insert(products).values({ productId: kept, available: 1 });
        await tx
          .transaction(async (savepoint) => {
            await savepoint.insert(products).values({ productId: dropped, available: 1 });
            throw new Error("inner");
          })
          .catch(() => {});
      });
      const rows = await database.db.select().from(products).where(sql`${products.productId} in (${kept}, ${dropped})`);
      expect(rows.map((r) => r.productId)).toEqual([kept]);
    });

    test("an event id is claimed once, even by concurrent transactions", async () => {
      const event = { source: "/contract", id: id(), type: "t" };
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => database.db.transaction((tx) => claimEvent(tx, processedEvents, event))),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    test("the stock check constraint refuses reserved above available", async () => {
      const productId = id();
      await database.db.insert(products).values({ productId, available: 1 });
      const oversell = database.db.update(products).set({ reserved: 2 }).where(sql`${products.productId} = ${productId}`);
      const failure = await oversell.then(() => undefined, (error: Error) => error);
      expect(String(failure?.cause ?? failure)).toContain("products_stock_check");
    });

    test("NOTIFY reaches listeners when the sender commits, never on rollback", async () => {
      const channel = `contract_${id().slice(0, 8)}`;
      const heard: string[] = [];
      const unlisten = await database.listen(channel, (payload) => heard.push(payload));
      await database.db
        .transaction(async (tx) => {
          await tx.execute(sql`select pg_notify(${channel}, 'rolled back')`);
          throw new Error("abort");
        })
        .catch(() => {});
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_notify(${channel}, 'committed')`);
      });
      await waitFor(() => heard.length >= 1, { what: "the notification" });
      expect(heard).toEqual(["committed"]);
      await unlisten();
    });
  });
}
