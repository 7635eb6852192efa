import { sql } from "drizzle-orm";
import type { Hono } from "hono";
import { systemClock, uuidV7Ids } from "../clock/index.ts";
import type { ServiceDefinition } from "../service/index.ts";
import { type EngineConfig, engineConfigFromEnv, openDatabase, openIdempotencyStore } from "./engines.ts";

type Env = Record<string, string | undefined>;

/** Reads the engine configuration; exits with a clear message when a required engine is missing. */
export function requireEngines(name: string, env: Env, needs: Array<"databaseUrl" | "kafkaBrokers">): EngineConfig {
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

/** Serves `app` on PORT (or `defaultPort`), and runs `stop` then exits on SIGTERM or SIGINT. */
export function serve(name: string, defaultPort: number, env: Env, app: Hono, stop: () => Promise<void>, describe = "") {
  const server = Bun.serve({ port: Number(env.PORT || defaultPort), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
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
 * The life of one service's process (`bun run start <service>`): PostgreSQL (checked at once, so
 * a wrong URL fails at start-up), the idempotency store, the service its definition builds from
 * them, then serve until a signal.
 */
export async function runServiceProcess(service: ServiceDefinition, env: Env): Promise<void> {
  const config = requireEngines(service.name, env, ["databaseUrl"]);
  const database = await openDatabase(config);
  await database.db.execute(sql`select 1`);
  const log = (message: string, error?: unknown) => (error === undefined ? console.log(message) : console.error(message, error));
  const idempotency = openIdempotencyStore(config, log);
  const running = service.create({ database, idempotency, clock: systemClock, ids: uuidV7Ids, dataDir: config.dataDir, env, log });
  await running.start?.();
  const fastPath = config.redisUrl ? "Redis" : config.upstash ? "Upstash" : "in memory";
  serve(service.name, service.port, env, running.app, async () => {
    await running.stop?.();
    await idempotency.close();
    await database.close();
  }, `idempotency fast path: ${fastPath}`);
}
