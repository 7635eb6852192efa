import { Hono } from "hono";
import { openBroker, openDatabase, publicAddress, requireEngines, serve, waitForDatabase } from "../../lib/engines/index.ts";
import { allTopics } from "../../lib/events/index.ts";
import { createLogger } from "../../lib/log/index.ts";
import { createOutboxRelay } from "../../lib/outbox/index.ts";
import { outboxes } from "../roster.ts";

// Composition root of the relay process (`bun run start relay`): the only place that reads the environment.
const defaultPort = 3060;
const log = createLogger({ name: "relay", level: process.env.LOG_LEVEL });
const config = requireEngines(log, process.env, ["kafkaBrokers", "databaseUrl"]);
const database = await openDatabase(config);
await waitForDatabase(database, log);
const broker = await openBroker(config, log, "orderflow-relay");
// Topics are created here (and by the dispatcher), not by the broker on first use: auto-creation
// would give them the broker's default partition count, not ours.
await broker.ensureTopics(allTopics);
const relay = createOutboxRelay({ database, broker, outboxes, log });
await relay.start();

const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", service: "relay" }));
serve(
  log,
  [{ ...publicAddress(process.env, defaultPort), fetch: app.fetch, label: "health" }],
  async () => {
    // Waits for the batch in flight: its rows are marked published in the same transaction.
    await relay.stop();
    await broker.close();
    await database.close();
  },
  `publishing ${outboxes.length} outboxes to Kafka ${config.kafkaBrokers!.join(",")}${config.namespace ? `, namespace ${config.namespace}` : ""}`,
);
