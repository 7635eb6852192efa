import { describe, expect } from "bun:test";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { databaseContract } from "./database.contract.ts";
import { rowsOf } from "./rows.ts";
import { createPostgresDatabase } from "./postgres.ts";

const url = tryGetServiceUrl("postgres");
if (url) {
  databaseContract("PostgreSQL", async () => {
    const scratch = await createScratchDatabase(url);
    return { database: await scratch.open(), cleanup: scratch.drop };
  });
  databaseContract("PostgreSQL over its Unix socket (DATABASE_URL ?host=<directory>)", async () => {
    const scratch = await createScratchDatabase(url);
    const admin = postgres(url, { max: 1 });
    const [{ directories }] = await admin<[{ directories: string }]>`select current_setting('unix_socket_directories') as directories`;
    await admin.end();
    const directory = directories.split(",")[0]!.trim();
    const socketUrl = new URL(scratch.url);
    socketUrl.searchParams.set("host", directory);
    const database = await createPostgresDatabase(socketUrl.toString());
    // Over a socket the server has no client address: this suite must not pass over TCP.
    const [peer] = rowsOf(await database.db.execute(sql`select inet_client_addr() as address`));
    expect(peer).toEqual({ address: null });
    return { database, cleanup: scratch.drop };
  });
} else {
  describe.skip("database contract: PostgreSQL (DATABASE_URL not set)", () => {});
}
