import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { exec } from "../engines/exec.ts";
import type { BenchPostgres } from "../engines/postgres.ts";
import { spawnLogged } from "../flow/spawn.ts";
import { type Summary, summarize } from "../measure/stats.ts";
import { handlerTransactionScript, orderTransactionScript } from "./transactions.ts";

export type PgbenchResult = { script: string; clients: number; tps: number; latencyMs: Summary; transactions: number };

/**
 * PostgreSQL's own limit for the flow's transactions: pgbench, in a database migrated like the
 * flow's (its own, so its rows never reach the relay), with the extended protocol and prepared
 * statements (as postgres.js sends them), per-transaction latencies logged.
 */
export async function preparePgbench(pg: BenchPostgres, workDir: string, database: string) {
  const dir = join(workDir, "pgbench");
  mkdirSync(dir, { recursive: true });
  await pg.createDatabase(database);
  const url = pg.urlOf(database);
  const migrate = spawnLogged(workDir, "pgbench-migrate", ["bun", "apps/start.ts", "migrate"], { ...process.env, DATABASE_URL: url });
  if ((await migrate.process.exited) !== 0) throw new Error(`migrate of the pgbench database failed: see ${migrate.log}`);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql`insert into orders.products (product_id, name, unit_price, currency, updated_at) values ('bench-p0', 'Bench product 0', 1000, 'JPY', now())`;
  await sql.end({ timeout: 5 });
  const scripts = { order: join(dir, "order-transaction.sql"), handler: join(dir, "handler-transaction.sql") };
  writeFileSync(scripts.order, orderTransactionScript("bench-p0"));
  writeFileSync(scripts.handler, handlerTransactionScript());

  return {
    scripts,
    async run(name: keyof typeof scripts, clients: number, seconds: number): Promise<PgbenchResult> {
      const prefix = join(dir, `${name}-c${clients}-${Date.now()}`);
      const { hostname, port } = new URL(url);
      const output = await exec([
        join(pg.binDir, "pgbench"), "-h", pg.socketDir ?? hostname, "-p", port || "5432", "-U", "postgres", "-n", "-M", "prepared",
        "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(seconds), "-f", scripts[name], "-l", "--log-prefix", prefix, database,
      ]);
      const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1]);
      if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${output}`);
      const latencies = readLatencies(prefix);
      return { script: name, clients, tps, latencyMs: summarize(latencies), transactions: latencies.length };
    },
    drop: () => pg.dropDatabase(database),
  };
}

/** pgbench -l: one line per transaction, `client_id transaction_no time_us script_no epoch us`, a file per thread. */
function readLatencies(prefix: string): number[] {
  const dir = join(prefix, "..");
  const base = prefix.slice(dir.length + 1);
  const latencies: number[] = [];
  for (const file of readdirSync(dir).filter((f) => f.startsWith(`${base}.`))) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      const micros = Number(line.split(" ")[2]);
      if (line && Number.isFinite(micros)) latencies.push(micros / 1000);
    }
  }
  return latencies;
}
