import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import type { Database, Db } from "./types.ts";

/**
 * Embedded PostgreSQL (WASM). `dataDir` keeps the data across restarts; undefined keeps it in
 * memory (tests). PGlite has one connection: transactions queue behind each other.
 */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const client = await PGlite.create(dataDir);
  const db = drizzle({ client: yieldingToIo(client) }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    async listen(channel, onNotify) {
      const unlisten = await client.listen(channel, onNotify);
      return unlisten;
    },
    exclusively: (_lockName, work) => work(),
    close: () => client.close(),
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `client` with a turn of the event loop before each query and transaction. PGlite runs on this
 * thread and passes its lock from one query to the next in promise callbacks, which run before any
 * I/O: with work queued, requests, pushes and broker reads waited until the queue was empty, so
 * nothing could join a batch, every write went alone, and a burst of POSTs took seconds each
 * (27 accepted orders/s, p50 2.3 s). Here the queries take their turns one after the other, as
 * PGlite's lock makes them anyway, each on a new turn, so what arrived meanwhile is read in
 * between (982/s, p99 139 ms; the closed loop 28 → 253 completed orders/s; docs/architecture.md
 * gives the price in latency at a steady load). Not a wait:
 * setImmediate runs once the pending I/O is read. Inside a transaction no turn is taken: it holds
 * the connection (and, as with PGlite's own lock, a query outside it waits for it to end).
 */
function yieldingToIo(client: PGlite): PGlite {
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
    const result = last.then(nextTurn).then(call);
    last = result.catch(() => {});
    return result;
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === "query" || property === "transaction") {
        const method = Reflect.get(target, property, target) as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => inTurn(() => method.apply(target, args));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
