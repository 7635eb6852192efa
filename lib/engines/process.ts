import { sql } from "drizzle-orm";
import type { Hono } from "hono";
import type { Database } from "../db/types.ts";
import type { IdempotencyStore } from "../idempotency/types.ts";
import { type EngineConfig, engineConfigFromEnv, openDatabase, openIdempotencyStore } from "./engines.ts";

/** Where each process listens unless PORT says otherwise (docs/operations.md). */
export const defaultPorts = {
  order: 3001,
  payment: 3002,
  inventory: 3003,
  shipping: 3004,
  notification: 3005,
  relay: 3006,
  dispatcher: 3007,
} as const;

export type ProcessName = keyof typeof defaultPorts;

/** Reads the engine configuration; exits with a clear message when a required engine is missing. */
export function requireEngines(name: ProcessName, env: Record<string, string | undefined>, needs: Array<"databaseUrl" | "kafkaBrokers">): EngineConfig {
  const config = engineConfigFromEnv(env);
  const missing = needs.filter((need) => !config[need]).map((need) => (need === "databaseUrl" ? "DATABASE_URL" : "KAFKA_BROKERS"));
  if (missing.length > 0) {
    console.error(
      `${name}: set ${missing.join(" and ")}. The embedded PGlite and broker live inside one process, so ` +
        "separate processes cannot share them; for one process use `bun run dev`.",
    );
    process.exit(1);
  }
  return config;
}

/** Serves `app` on PORT (or the default), and runs `stop` then exits on SIGTERM or SIGINT. */
export function serve(name: ProcessName, env: Record<string, string | undefined>, app: Hono, stop: () => Promise<void>, describe = "") {
  const server = Bun.serve({ port: Number(env.PORT || defaultPorts[name]), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
  console.log(`${name}: listening on http://${server.hostname}:${server.port}${describe ? ` (${describe})` : ""}`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${signal}, stopping`);
    await server.stop(); // answers the requests in flight, accepts no new ones
    await stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return server;
}

/**
 * The life of a service process: PostgreSQL (checked at once, so a wrong URL fails at start-up),
 * the idempotency store, the app that `build` makes of them, then serve until a signal.
 */
export async function runServiceProcess(
  name: ProcessName,
  env: Record<string, string | undefined>,
  build: (engines: { config: EngineConfig; database: Database; idempotency: IdempotencyStore }) => Hono | { app: Hono; stop(): Promise<void> },
): Promise<void> {
  const config = requireEngines(name, env, ["databaseUrl"]);
  const database = await openDatabase(config);
  await database.db.execute(sql`select 1`);
  const idempotency = openIdempotencyStore(config, console.log);
  const built = build({ config, database, idempotency });
  const { app, stop } = "fetch" in built ? { app: built, stop: async () => {} } : built;
  const fastPath = config.redisUrl ? "Redis" : config.upstash ? "Upstash" : "in memory";
  serve(name, env, app, async () => {
    await stop();
    await idempotency.close();
    await database.close();
  }, `idempotency fast path: ${fastPath}`);
}
