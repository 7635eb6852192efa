import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Database } from "../db/index.ts";
import { createTestDatabase, createTestMessagingTables } from "../testing/index.ts";
import { claimEvent, claimEvents, claimKey } from "./enqueue.ts";

let database: Database;
let processedEvents: Awaited<ReturnType<typeof createTestMessagingTables>>["processedEvents"];
beforeAll(async () => {
  database = await createTestDatabase();
  ({ processedEvents } = await createTestMessagingTables(database));
}, 60_000);
afterAll(async () => database?.close(), 60_000);

const event = (source: string, id: string) => ({ source, id, type: "com.example.payment.completed" });

test("claimEvents claims a batch in one go: each new event once, none claimed before, the same id from another source apart", async () => {
  await database.db.transaction((tx) => claimEvent(tx, processedEvents, event("/payment", "ce-old")));
  const batch = [event("/payment", "ce-1"), event("/payment", "ce-old"), event("/payment", "ce-1"), event("/other", "ce-1")];
  const claimed = await database.db.transaction((tx) => claimEvents(tx, processedEvents, batch));
  expect([...claimed].sort()).toEqual([claimKey(event("/other", "ce-1")), claimKey(event("/payment", "ce-1"))].sort());
  // A second delivery of the same batch claims nothing.
  expect((await database.db.transaction((tx) => claimEvents(tx, processedEvents, batch))).size).toBe(0);
  expect((await database.db.transaction((tx) => claimEvents(tx, processedEvents, []))).size).toBe(0);
});
