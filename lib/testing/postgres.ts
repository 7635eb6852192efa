import postgres from "postgres";
import { createPostgresDatabase, type Database } from "../db/index.ts";

/**
 * A fresh PostgreSQL database on the server of `url`, dropped again by `drop()`: tests never see
 * each other's rows, nor a developer's.
 */
export async function createScratchDatabase(url: string): Promise<{ url: string; open(): Promise<Database>; drop(): Promise<void> }> {
  const name = `orderflow_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    open: () => createPostgresDatabase(scratch.toString()),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
