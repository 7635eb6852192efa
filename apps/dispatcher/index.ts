import { Hono } from "hono";
import { engineConfigFromEnv, openBroker } from "../../lib/engines/engines.ts";
import { allTopics } from "../../lib/events/catalog.ts";
import { type ServiceName, subscriptions } from "../../lib/events/subscriptions.ts";
import { createDispatcher } from "./dispatcher.ts";
import { createHttpDeliver } from "./http-deliver.ts";

// Composition root of a dispatcher process (`bun run start dispatcher`): the only place that reads
// the environment. Run several: each subscription is one consumer group, so they share partitions.
const env = process.env;
const config = engineConfigFromEnv(env);
if (!config.kafkaBrokers) {
  console.error(
    "dispatcher: set KAFKA_BROKERS. The embedded broker lives inside one process, so a dispatcher of " +
      "its own cannot share it with the relay; for one process use `bun run dev`.",
  );
  process.exit(1);
}

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`dispatcher: ${name} must be a positive integer, got "${env[name]}"`);
    process.exit(1);
  }
  return value;
}

const defaultPorts: Record<ServiceName, number> = { order: 3001, payment: 3002, inventory: 3003, shipping: 3004, notification: 3005 };
const urls = Object.fromEntries(
  (Object.keys(defaultPorts) as ServiceName[]).map((s) => [s, env[`${s.toUpperCase()}_URL`] || `http://127.0.0.1:${defaultPorts[s]}`]),
) as Record<ServiceName, string>;
const urlOf = (service: ServiceName) => urls[service];

const broker = await openBroker(config, "orderflow-dispatcher");
await broker.ensureTopics(allTopics);
const dispatcher = createDispatcher({
  broker,
  subscriptions,
  urlOf,
  deliver: createHttpDeliver({ urlOf, timeoutMs: numberFromEnv("DISPATCH_TIMEOUT_MS", 10_000) }),
  retry: {
    maxAttempts: numberFromEnv("DISPATCH_MAX_ATTEMPTS", 30),
    baseDelayMs: numberFromEnv("DISPATCH_RETRY_BASE_MS", 100),
    maxDelayMs: numberFromEnv("DISPATCH_RETRY_MAX_MS", 30_000),
  },
});
await dispatcher.start();

const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", service: "dispatcher" }));
const server = Bun.serve({ port: Number(env.PORT || 3007), hostname: env.HOST || "127.0.0.1", fetch: app.fetch });
console.log(`dispatcher: ${subscriptions.length} consumer groups on Kafka ${config.kafkaBrokers.join(",")}${config.namespace ? ` (namespace ${config.namespace})` : ""}, delivering to ${Object.entries(urls).map(([s, u]) => `${s}=${u}`).join(" ")}; health on :${server.port}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`dispatcher: ${signal}, stopping`);
  await server.stop();
  // Finishes the batches in flight (their offsets commit) and leaves the groups, so the other
  // dispatchers take the partitions over at once instead of after the session timeout.
  await dispatcher.stop();
  await broker.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
