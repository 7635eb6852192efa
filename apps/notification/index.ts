import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { systemClock } from "../../lib/clock/system.ts";
import { engineConfigFromEnv, openDatabase, openIdempotencyStore } from "../../lib/engines/engines.ts";
import { createRecordingNotifier } from "../../lib/notifier/recording.ts";
import { createApp } from "./app.ts";

// Composition root of the notification process (`bun run start notification`): the only place that reads the environment.
const env = process.env;
const config = engineConfigFromEnv(env);
if (!config.databaseUrl) {
  console.error("notification: set DATABASE_URL. Separate processes cannot share the embedded PGlite; for one process use `bun run dev`.");
  process.exit(1);
}
const database = await openDatabase(config);
await database.db.execute(sql`select 1`); // fail fast when PostgreSQL is unreachable
const idempotency = openIdempotencyStore(config, console.log);
// No e-mail provider yet: the notifier records each send as a JSON line under DATA_DIR.
mkdirSync(config.dataDir, { recursive: true });
const notifier = createRecordingNotifier({ file: join(config.dataDir, "notifications.jsonl"), log: console.log });
const app = createApp({ db: database.db, idempotency, notifier, clock: systemClock });
const server = Bun.serve({ port: Number(env.PORT || 3005), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
console.log(`notification: listening on http://${server.hostname}:${server.port} (idempotency fast path: ${config.redisUrl ? "Redis" : config.upstash ? "Upstash" : "in memory"})`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`notification: ${signal}, stopping`);
  await server.stop(); // answers the requests in flight, accepts no new ones
  await idempotency.close();
  await database.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
