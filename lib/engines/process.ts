import { systemClock, uuidV7Ids } from "../clock/index.ts";
import { internalAddress, internalListener, publicListener, serverIdleTimeoutSeconds } from "../http/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { createServiceSecurity, securityConfigFromEnv } from "../security/index.ts";
import type { ServiceDefinition } from "../service/index.ts";
import { type EngineConfig, engineConfigFromEnv, openDatabase, openIdempotencyStore } from "./engines.ts";
import { waitForDatabase } from "./wait-for-database.ts";

type Env = Record<string, string | undefined>;
type Fetch = (request: Request) => Response | Promise<Response>;
export type Listener = { port: number; hostname: string; fetch: Fetch; label: string };

/** Reads the engine configuration; exits with a clear message when a required engine is missing. */
export function requireEngines(log: Logger, env: Env, needs: Array<"databaseUrl" | "kafkaBrokers">): EngineConfig {
  const config = engineConfigFromEnv(env);
  const missing = needs.filter((need) => !config[need]).map((need) => (need === "databaseUrl" ? "DATABASE_URL" : "KAFKA_BROKERS"));
  if (missing.length > 0) {
    log.error(
      { missing },
      `set ${missing.join(" and ")}. The embedded PGlite and broker live inside one process, so ` +
        "separate processes cannot share them; for one process use `bun run dev`.",
    );
    process.exit(1);
  }
  return config;
}

/** The public listener of a process: PORT (or `defaultPort`) on HOST (default 127.0.0.1). */
export function publicAddress(env: Env, defaultPort: number): { port: number; hostname: string } {
  return { port: Number(env.PORT || defaultPort), hostname: env.HOST || "127.0.0.1" };
}

/** Serves the listeners, and runs `stop` then exits on SIGTERM or SIGINT. */
export function serve(log: Logger, listeners: Listener[], stop: () => Promise<void>, describe = "") {
  const servers = listeners.map(({ port, hostname, fetch, label }) => {
    const server = Bun.serve({ port, hostname, fetch, idleTimeout: serverIdleTimeoutSeconds });
    log.info({ url: `http://${server.hostname}:${server.port}`, detail: describe || undefined }, `${label}: listening`);
    return server;
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    await Promise.all(servers.map((server) => server.stop())); // answers the requests in flight, accepts no new ones
    await stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return servers;
}

/**
 * The life of one service's process (`bun run start <service>`): its secrets (missing ones stop
 * it at once), PostgreSQL (waited for while it starts or recovers; a wrong URL fails at start-up), the idempotency
 * store, the service its definition builds from them, then the public and internal listeners
 * until a signal. Its lines go to stdout as JSON, from LOG_LEVEL (default info) up.
 */
export async function runServiceProcess(service: ServiceDefinition, env: Env): Promise<void> {
  const log = createLogger({ name: service.name, level: env.LOG_LEVEL }).child({ service: service.name });
  const config = requireEngines(log, env, ["databaseUrl"]);
  const security = createServiceSecurity(securityConfigFromEnv(env));
  const database = await openDatabase(config);
  await waitForDatabase(database, log);
  const idempotency = openIdempotencyStore(config, log);
  const running = service.create({ database, idempotency, security, clock: systemClock, ids: uuidV7Ids, dataDir: config.dataDir, env, log });
  await running.start?.();
  const fastPath = config.redisUrl ? "Redis" : config.upstash ? "Upstash" : "in memory";
  const outside = publicAddress(env, service.port);
  serve(
    log,
    [
      { ...outside, fetch: publicListener(running.app), label: "public API" },
      { ...internalAddress(env, outside.port), fetch: internalListener(running.app), label: "signed event pushes" },
    ],
    async () => {
      await running.stop?.();
      await idempotency.close();
      await database.close();
    },
    `idempotency fast path: ${fastPath}`,
  );
}
