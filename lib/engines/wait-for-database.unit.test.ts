import { expect, test } from "bun:test";
import type { Database } from "../db/index.ts";
import { createMemoryLogger } from "../log/index.ts";
import { waitForDatabase } from "./wait-for-database.ts";

/** A database whose `select 1` fails with the given errors first, then answers. */
function flaky(...failures: unknown[]): { database: Database; calls: () => number } {
  let calls = 0;
  const db = {
    execute: async () => {
      const failure = failures[calls++];
      if (failure !== undefined) throw failure;
      return [];
    },
  };
  return { database: { db } as unknown as Database, calls: () => calls };
}

const pgError = (code: string) => Object.assign(new Error(`postgres ${code}`), { code });
/** Bun.SQL's shape: its own class of failure in `code`, the server's SQLSTATE (if any) in `errno`. */
const bunError = (code: string, errno?: string) => Object.assign(new Error(`bun ${code}`), { code, errno });

test("a database still starting or recovering is waited for, with backoff", async () => {
  const { database, calls } = flaky(pgError("ECONNREFUSED"), pgError("57P03"), { cause: pgError("57P03") });
  const waits: number[] = [];
  const log = createMemoryLogger();
  await waitForDatabase(database, log, { sleep: async (ms) => void waits.push(ms) });
  expect(calls()).toBe(4);
  expect(waits).toEqual([200, 400, 800]);
  expect(log.lines()).toHaveLength(3);
});

test("a wrong password or a missing database fails at once", async () => {
  for (const code of ["28P01", "3D000"]) {
    const { database, calls } = flaky(pgError(code));
    await expect(waitForDatabase(database, createMemoryLogger(), { sleep: async () => {} })).rejects.toMatchObject({ code: "db.unavailable" });
    expect(calls()).toBe(1);
  }
});

test("past the deadline it gives up", async () => {
  let clock = 0;
  const { database } = flaky(...Array.from({ length: 100 }, () => pgError("57P03")));
  const waiting = waitForDatabase(database, createMemoryLogger(), { timeoutMs: 10_000, now: () => clock, sleep: async (ms) => void (clock += ms) });
  await expect(waiting).rejects.toMatchObject({ code: "db.unavailable", message: expect.stringContaining("57P03") });
});

test("Bun.SQL's failures are read the same way: SQLSTATE from errno, its own codes for the connection", async () => {
  const { database, calls } = flaky(bunError("ERR_POSTGRES_CONNECTION_REFUSED"), bunError("ERR_POSTGRES_SERVER_ERROR", "57P03"), { cause: bunError("ERR_POSTGRES_CONNECTION_CLOSED") });
  await waitForDatabase(database, createMemoryLogger(), { sleep: async () => {} });
  expect(calls()).toBe(4);
  const missing = flaky(bunError("ERR_POSTGRES_SERVER_ERROR", "3D000"));
  await expect(waitForDatabase(missing.database, createMemoryLogger(), { sleep: async () => {} })).rejects.toMatchObject({ code: "db.unavailable", message: expect.stringContaining("3D000") });
  expect(missing.calls()).toBe(1);
});
