import { sql } from "drizzle-orm";
import { systemClock, uuidV7Ids } from "../../lib/clock/system.ts";
import { engineConfigFromEnv, openDatabase, openIdempotencyStore } from "../../lib/engines/engines.ts";
import { createApp } from "./app.ts";

// Composition root of the shipping process (`bun run start shipping`): the only place that reads the environment.
const env = process.env;
const config = engineConfigFromEnv(env);
if (!config.databaseUrl) {
  console.error("shipping: set DATABASE_URL. Separate processes cannot share the embedded PGlite; for one process use `bun run dev`.");
  process.exit(1);
}
const database = await openDatabase(config);
await database.db.execute(sql`select 1`); // fail fast when PostgreSQL is unreachable
const idempotency = openIdempotencyStore(config, console.log);
const app = createApp({ db: database.db, idempotency, clock: systemClock, ids: uuidV7Ids });
const server = Bun.serve({ port: Number(env.PORT || 3004), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
console.log(`shipping: listening on http://${server.hostname}:${server.port} (idempotency fast path: ${config.redisUrl ? "Redis" : config.upstash ? "Upstash" : "in memory"})`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`shipping: ${signal}, stopping`);
  await server.stop(); // answers the requests in flight, accepts no new ones
  await idempotency.close();
  await database.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
