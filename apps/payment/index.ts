import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { systemClock, uuidV7Ids } from "../../lib/clock/system.ts";
import { engineConfigFromEnv, openDatabase, openIdempotencyStore } from "../../lib/engines/engines.ts";
import { notFound, onError } from "../../lib/http/problem.ts";
import { sandboxLedgerRoutes } from "../../lib/payment-gateway/ledger-routes.ts";
import { createSandboxGateway } from "../../lib/payment-gateway/sandbox.ts";
import { createApp } from "./app.ts";

// Composition root of the payment process (`bun run start payment`): the only place that reads the environment.
const env = process.env;
const config = engineConfigFromEnv(env);
if (!config.databaseUrl) {
  console.error("payment: set DATABASE_URL. Separate processes cannot share the embedded PGlite; for one process use `bun run dev`.");
  process.exit(1);
}
const database = await openDatabase(config);
await database.db.execute(sql`select 1`); // fail fast when PostgreSQL is unreachable
const idempotency = openIdempotencyStore(config, console.log);
if ((env.PAYMENT_GATEWAY ?? "sandbox") !== "sandbox") {
  console.error(`payment: PAYMENT_GATEWAY "${env.PAYMENT_GATEWAY}" is unknown; only "sandbox" exists so far`);
  process.exit(1);
}
const gateway = createSandboxGateway({ db: database.db, clock: systemClock, ids: uuidV7Ids });
// The sandbox's ledger (GET /gateway/charges) is served beside the payment service that owns it.
const app = new Hono();
app.onError(onError);
app.notFound(notFound);
app.route("/", createApp({ db: database.db, idempotency, gateway, clock: systemClock, ids: uuidV7Ids }));
app.route("/", sandboxLedgerRoutes(database.db));
const server = Bun.serve({ port: Number(env.PORT || 3002), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
console.log(`payment: listening on http://${server.hostname}:${server.port} (idempotency fast path: ${config.redisUrl ? "Redis" : config.upstash ? "Upstash" : "in memory"})`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`payment: ${signal}, stopping`);
  await server.stop(); // answers the requests in flight, accepts no new ones
  await idempotency.close();
  await database.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
