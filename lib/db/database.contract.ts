import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { products } from "../../apps/inventory/store/schema.ts";
import { claimEvent } from "../outbox/enqueue.ts";
import { waitFor } from "../testing/wait-for.ts";
import { migrate } from "./migrate.ts";
import { rowsOf } from "./rows.ts";
import { messaging } from "./schemas.ts";
import type { Database } from "./types.ts";

/** One contract for PGlite and PostgreSQL: what the services rely on from the database. */
export function databaseContract(label: string, open: () => Promise<{ database: Database; cleanup(): Promise<void> }>) {
  describe(`database contract: ${label}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ database, cleanup } = await open());
      await migrate(database);
    });
    afterAll(async () => {
      await database.close();
      await cleanup();
    });
    const now = new Date();
    const id = () => crypto.randomUUID();

    test("migrations apply once: running them again changes nothing", async () => {
      await migrate(database);
      const schemas = rowsOf<{ name: string }>(await database.db.execute(sql`select schema_name as name from information_schema.schemata`));
      expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(["orders", "payments", "inventory", "shipping", "notifications", "gateway"]));
    });

    test("a failed transaction leaves nothing behind", async () => {
      const productId = id();
      const attempt = database.db.transaction(async (tx) => {
        await tx.insert(products).values({ productId, available: 1, updatedAt: now });
        throw new Error("abort");
      });
      expect(await attempt.then(() => undefined, (error: Error) => error.message)).toBe("abort");
      expect(await database.db.select().from(products).where(sql`${products.productId} = ${productId}`)).toEqual([]);
    });

    test("a rolled-back savepoint keeps the outer transaction's work", async () => {
      const [kept, dropped] = [id(), id()];
      await database.db.transaction(async (tx) => {
        await tx.insert(products).values({ productId: kept, available: 1, updatedAt: now });
        await tx
          .transaction(async (savepoint) => {
            await savepoint.insert(products).values({ productId: dropped, available: 1, updatedAt: now });
            throw new Error("inner");
          })
          .catch(() => {});
      });
      const rows = await database.db.select().from(products).where(sql`${products.productId} in (${kept}, ${dropped})`);
      expect(rows.map((r) => r.productId)).toEqual([kept]);
    });

    test("an event id is claimed once, even by concurrent transactions", async () => {
      const event = { id: id(), type: "t" };
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => database.db.transaction((tx) => claimEvent(tx, messaging.inventory, event))),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    test("the stock check constraint refuses reserved above available", async () => {
      const productId = id();
      await database.db.insert(products).values({ productId, available: 1, updatedAt: now });
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
