import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createPgliteDatabase, type Database, postgresDrivers } from "../db/index.ts";
import { AppError } from "../errors/index.ts";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { errorSummary } from "./error-summary.ts";
import { createMemoryLogger } from "./logger.ts";

const secrets = { address: "丸の内1-1", city: "千代田区", token: "tok_4242secret" };
const orders = pgTable("orders", { id: integer("id").primaryKey(), address: text("address"), token: text("token"), ref: uuid("ref"), event: jsonb("event") });
const event = { specversion: "1.0", id: "e-1", type: "com.example.order.created", data: { shippingAddress: { city: secrets.city } } };
const leaks = (text: string) => [secrets.address, secrets.city, secrets.token, "specversion", "Failing row"].filter((secret) => text.includes(secret));

type Client = { label: string; driverError: string; open(): Promise<{ database: Database; cleanup(): Promise<void> }> };
const postgresUrl = tryGetServiceUrl("postgres");
/** Each client names its error class and puts the SQLSTATE where it likes (Bun.SQL: `errno`). */
const clients: Client[] = [
  { label: "PGlite", driverError: "error", open: async () => ({ database: await createPgliteDatabase(), cleanup: async () => {} }) },
  ...(postgresUrl
    ? postgresDrivers.map((driver) => ({
        label: `PostgreSQL through ${driver}`,
        driverError: "PostgresError",
        async open() {
          const scratch = await createScratchDatabase(postgresUrl);
          return { database: await scratch.open(driver), cleanup: scratch.drop };
        },
      }))
    : []),
];

for (const client of clients) {
  describe(`error summary: ${client.label}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ database, cleanup } = await client.open());
      await database.db.execute(sql`create table orders (id integer primary key, address text, token text constraint no_test_cards check (token not like 'tok_%'), ref uuid, event jsonb)`);
    }, 60_000);
    afterAll(async () => {
      await database.close();
      await cleanup();
    }, 60_000);

    /** The error a failing insert throws: drizzle's DrizzleQueryError around the client's. */
    async function failedInsert(row: typeof orders.$inferInsert): Promise<unknown> {
      return database.db.insert(orders).values(row).then(
        () => undefined,
        (error: unknown) => error,
      );
    }

    test("a failed query keeps its SQLSTATE, message, constraint and frames, none of its values", async () => {
      const error = await failedInsert({ id: 1, address: secrets.address, token: secrets.token, event });
      expect(String((error as Error).message)).toContain(secrets.token); // what would have been logged
      const summary = errorSummary(error);
      expect(leaks(JSON.stringify(summary))).toEqual([]);
      expect(summary).toMatchObject({
        type: `DrizzleQueryError ← ${client.driverError}`,
        database: { code: "23514", message: 'new row for relation "orders" violates check constraint "no_test_cards"', constraint: "no_test_cards", table: "orders" },
      });
      expect(summary.message).toBeUndefined();
      expect(summary.stack).toMatch(/^at /);
    });

    test("a value PostgreSQL quotes in its message is cut out; identifiers stay", async () => {
      const summary = errorSummary(await failedInsert({ id: 2, address: secrets.address, token: "x", ref: secrets.city }));
      expect(summary.database).toMatchObject({ code: "22P02", message: 'invalid input syntax for type uuid: "…"' });
      expect(leaks(JSON.stringify(summary))).toEqual([]);
    });

    test("an AppError around a failed query keeps its code, not its message (which quotes the cause's)", async () => {
      const cause = await failedInsert({ id: 3, address: secrets.address, token: secrets.token });
      const summary = errorSummary(new AppError("outbox.write_failed", `writing failed: ${(cause as Error).message}`, { cause }));
      expect(summary).toMatchObject({ type: `AppError ← DrizzleQueryError ← ${client.driverError}`, code: "outbox.write_failed", database: { code: "23514" } });
      expect(leaks(JSON.stringify(summary))).toEqual([]);
    });

    test("an Error passed to the logger is written as its summary", async () => {
      const log = createMemoryLogger();
      log.error({ error: await failedInsert({ id: 4, address: secrets.address, token: secrets.token, event }) }, "insert failed");
      const [line] = log.lines();
      expect(leaks(line!)).toEqual([]);
      expect(JSON.parse(line!).error).toMatchObject({ type: `DrizzleQueryError ← ${client.driverError}`, database: { code: "23514" } });
    });
  });
}

test("any other error keeps its message; something thrown that is no Error, only its type", () => {
  expect(errorSummary(new TypeError("x is not a function"))).toMatchObject({ type: "TypeError", message: "x is not a function" });
  expect(errorSummary("tok_4242secret")).toEqual({ type: "string" });
});
