import { Hono } from "hono";
import { messaging } from "../../lib/db/schemas.ts";
import { engineConfigFromEnv, openBroker, openDatabase } from "../../lib/engines/engines.ts";
import { allTopics } from "../../lib/events/catalog.ts";
import { createOutboxRelay } from "../../lib/outbox/relay.ts";

// Composition root of the relay process (`bun run start relay`): the only place that reads the environment.
const env = process.env;
const config = engineConfigFromEnv(env);
if (!config.kafkaBrokers || !config.databaseUrl) {
  console.error(
    "relay: set KAFKA_BROKERS and DATABASE_URL. The embedded broker and PGlite live inside one process, " +
      "so a relay of its own cannot share them with the services; for one process use `bun run dev`.",
  );
  process.exit(1);
}

const database = await openDatabase(config);
const broker = await openBroker(config, "orderflow-relay");
// Topics are created here (and by the dispatcher), not by the broker on first use: auto-creation
// would give them the broker's default partition count, not ours.
await broker.ensureTopics(allTopics);
const relay = createOutboxRelay({
  database,
  broker,
  outboxes: Object.entries(messaging).map(([name, tables]) => ({ name, tables })),
});
await relay.start();

const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", service: "relay" }));
const server = Bun.serve({ port: Number(env.PORT || 3006), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
console.log(`relay: publishing ${Object.keys(messaging).length} outboxes to Kafka ${config.kafkaBrokers.join(",")}${config.namespace ? ` (namespace ${config.namespace})` : ""}; health on :${server.port}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`relay: ${signal}, stopping`);
  await server.stop();
  // Waits for the batch in flight: its rows are marked published in the same transaction.
  await relay.stop();
  await broker.close();
  await database.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
