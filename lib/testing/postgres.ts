import postgres from "postgres";
import { createPostgresDatabase, type Database, type PostgresDriver } from "../db/index.ts";
import { engineConfigFromEnv } from "../engines/index.ts";

/**
 * A fresh PostgreSQL database on the server of `url`, dropped again by `drop()`: tests never see
 * each other's rows, nor a developer's.
 */
export async function createScratchDatabase(url: string): Promise<{ url: string; open(driver?: PostgresDriver): Promise<Database>; drop(): Promise<void> }> {
  const name = `orderflow_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    // DATABASE_DRIVER, read and checked as the services read it.
    open: (driver = engineConfigFromEnv(process.env).databaseDriver) => createPostgresDatabase(scratch.toString(), { driver }),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

