import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createScratchDatabase, tryGetServiceUrl, waitFor } from "../testing/index.ts";
import { databaseContract } from "./database.contract.ts";
import { rowsOf } from "./rows.ts";
import { sqlStateOf } from "../errors/index.ts";
import { createPostgresDatabase, postgresDrivers } from "./postgres.ts";

const url = tryGetServiceUrl("postgres");
if (url) {
  for (const driver of postgresDrivers) {
    databaseContract(`PostgreSQL through ${driver}`, async () => {
      const scratch = await createScratchDatabase(url);
      return { database: await scratch.open(driver), cleanup: scratch.drop };
    });
    databaseContract(`PostgreSQL through ${driver}, over its Unix socket (DATABASE_URL ?host=<directory>)`, async () => {
      const scratch = await createScratchDatabase(url);
      const admin = postgres(url, { max: 1 });
      const [{ directories }] = await admin<[{ directories: string }]>`select current_setting('unix_socket_directories') as directories`;
      await admin.end();
      const directory = directories.split(",")[0]!.trim();
      const socketUrl = new URL(scratch.url);
      socketUrl.searchParams.set("host", directory);
      const database = await createPostgresDatabase(socketUrl.toString(), { driver });
      // Over a socket the server has no client address: this suite must not pass over TCP.
      const [peer] = rowsOf(await database.db.execute(sql`select inet_client_addr() as address`));
      expect(peer).toEqual({ address: null });
      return { database, cleanup: scratch.drop };
    });
    test(`through ${driver}: connections the server ends fail their queries, catchably, and the pool opens new ones`, async () => {
      const scratch = await createScratchDatabase(url);
      // The scratch database is this test's alone: its backends are the pool's connections.
      const name = new URL(scratch.url).pathname.slice(1);
      const database = await createPostgresDatabase(scratch.url, { driver, max: 3 });
      const admin = postgres(url, { max: 1 });
      const terminate = () => admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      try {
        await Promise.all([1, 2, 3].map((n) => database.db.execute(sql`select ${n}::int`)));
        // One transaction waiting on the server, one query running, the third connection idle.
        const inTransaction = Promise.resolve(database.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await tx.execute(sql`select pg_sleep(5)`);
        }));
        // drizzle's queries are lazy: Promise.resolve sends this one now.
        const running = Promise.resolve(database.db.execute(sql`select pg_sleep(5)`));
        // Handled from now on: Bun.SQL rejects as soon as the server's FATAL arrives.
        const settled = Promise.allSettled([inTransaction, running]);
        await waitFor(async () => rowsOf<{ n: number }>(await admin`select count(*)::int as n from pg_stat_activity where datname = ${name} and state = 'active' and query like '%pg_sleep%'`)[0]!.n === 2);
        expect((await terminate()).length).toBe(3);
        const failures = await settled;
        // postgres.js reports the socket's end (CONNECTION_CLOSED), Bun.SQL the server's FATAL (57P01).
        for (const failure of failures) expect(failure).toMatchObject({ status: "rejected" });
        const reasons = failures.map((failure) => (failure as PromiseRejectedResult).reason);
        for (const reason of reasons) expect([sqlStateOf(reason.cause ?? reason), (reason.cause ?? reason).code]).toContainAnyValues(["57P01", "CONNECTION_CLOSED"]);
        // An idle connection learns of its end when next used: that query fails too, catchably,
        // and the pool opens a new connection in its place. Soon every query is answered.
        const answers = await waitFor(async () => Promise.all([1, 2, 3, 4].map(async (n) => rowsOf<{ n: number }>(await database.db.execute(sql`select ${n}::int as n`))[0]!.n)));
        expect(answers).toEqual([1, 2, 3, 4]);
      } finally {
        await database.close();
        await admin.end();
        await scratch.drop();
      }
    }, 60_000);
  }
} else {
  describe.skip("database contract: PostgreSQL (DATABASE_URL not set)", () => {});
}
