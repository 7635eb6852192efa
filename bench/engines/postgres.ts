import { chmodSync, chownSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Glob } from "bun";
import postgres from "postgres";
import { atAbort } from "./abort.ts";
import { freePort } from "../../lib/testing/index.ts";
import { exec, until } from "./exec.ts";

/** Where the run's database lives, and whether its statements are counted (pg_stat_statements). */
export type BenchPostgres = {
  /** The server's URL (database `postgres`); the run creates its own databases on it. */
  url: string;
  binDir: string;
  /** The postmaster's pid when the server is ours (its children are the backends); else undefined. */
  postmasterPid?: number;
  statementsTracked: boolean;
  settings: Record<string, string>;
  urlOf(database: string): string;
  /**
   * The server's Unix socket directory when the run has its own server: the flow and pgbench
   * connect through it (`?host=` in DATABASE_URL, `pgbench -h`), as a service on the database's
   * machine would. The bench's own queries use `url`.
   */
  socketDir?: string;
  createDatabase(database: string): Promise<void>;
  dropDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
};

export function postgresBinDir(): string {
  const found = [...new Glob("/usr/lib/postgresql/*/bin/pgbench").scanSync({ absolute: true })].sort();
  if (found.length === 0) throw new Error("no /usr/lib/postgresql/*/bin/pgbench: install the PostgreSQL server package");
  return found.at(-1)!.replace(/\/pgbench$/, "");
}

/** The settings the figures depend on, as the server reports them. */
const reported = ["fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers", "max_connections", "server_version"];

async function settingsOf(url: string): Promise<Record<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select name, current_setting(name) as value from pg_settings where name in ${sql(reported)}`;
    return Object.fromEntries(rows.map((r) => [r.name as string, r.value as string]));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function handle(url: string, binDir: string, extra: Partial<BenchPostgres> & { stop(): Promise<void> }, settings: Record<string, string>): BenchPostgres {
  const urlOf = (database: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();
  const admin = async (statement: (sql: postgres.Sql) => Promise<unknown>) => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await statement(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  return {
    url,
    binDir,
    statementsTracked: false,
    settings,
    urlOf,
    // Durable commits whatever the server's default: every session of the run's database commits synchronously.
    createDatabase: (database) =>
      admin(async (sql) => {
        await sql`create database ${sql(database)}`;
        await sql`alter database ${sql(database)} set synchronous_commit = on`;
      }),
    dropDatabase: (database) => admin((sql) => sql`drop database if exists ${sql(database)} with (force)`),
    ...extra,
  };
}

/** An existing server (`--postgres-url`): statements are counted only if it preloads pg_stat_statements. */
export async function externalPostgres(url: string): Promise<BenchPostgres> {
  const settings = await settingsOf(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const preload = (await sql`select current_setting('shared_preload_libraries') as v`)[0]!.v as string;
  await sql.end({ timeout: 5 });
  return handle(url, postgresBinDir(), { statementsTracked: preload.includes("pg_stat_statements"), stop: async () => {} }, settings);
}

/**
 * A PostgreSQL server of the run's own (initdb in `workDir`, a free port) with durable commits
 * (fsync on, synchronous_commit on, the defaults) and pg_stat_statements preloaded, so that the
 * round trips of every statement are counted and its backends' CPU is ours alone. PostgreSQL
 * refuses to run as root: as root, its folder belongs to the `postgres` user and the tools run as it.
 */
export async function privatePostgres(workDir: string): Promise<BenchPostgres> {
  const binDir = postgresBinDir();
  const dir = join(workDir, "postgres");
  const data = join(dir, "data");
  mkdirSync(dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chownSync(dir, Number((await exec(["id", "-u", "postgres"])).trim()), Number((await exec(["id", "-g", "postgres"])).trim()));
    chmodSync(workDir, 0o755);
  }
  const as = (command: string[]) => (asRoot ? ["runuser", "-u", "postgres", "--", ...command] : command);
  const port = freePort();
  await exec(as([`${binDir}/initdb`, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]));
  const options = [
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    "-c fsync=on -c synchronous_commit=on -c max_connections=200",
    "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_utility=on",
  ].join(" ");
  const pgCtl = (...args: string[]) => exec(as([`${binDir}/pg_ctl`, "-D", data, "-l", join(dir, "server.log"), ...args]));
  await pgCtl("start", "-w", "-t", "60", "-o", options);
  const forget = atAbort(() => void Bun.spawnSync(as([`${binDir}/pg_ctl`, "-D", data, "stop", "-m", "immediate"])));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await until(async () => (await settingsOf(url)).fsync === "on", `the run's PostgreSQL on :${port}`);
  const postmasterPid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  const stop = async () => {
    forget();
    await pgCtl("stop", "-m", "fast", "-w").catch(() => "");
  };
  return handle(url, binDir, { postmasterPid, statementsTracked: true, stop, socketDir: dir }, await settingsOf(url));
}
