import { Hono } from "hono";
import { openBroker } from "../../lib/engines/engines.ts";
import { defaultPorts, requireEngines, serve } from "../../lib/engines/process.ts";
import { allTopics } from "../../lib/events/catalog.ts";
import { type ServiceName, subscriptions } from "../../lib/events/subscriptions.ts";
import { createDispatcher } from "./dispatcher.ts";
import { createHttpDeliver } from "./http-deliver.ts";

// Composition root of a dispatcher process (`bun run start dispatcher`): the only place that reads
// the environment. Run several: each subscription is one consumer group, so they share partitions.
const env = process.env;
const config = requireEngines("dispatcher", env, ["kafkaBrokers"]);

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(env[name] || fallback);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`dispatcher: ${name} must be a positive integer, got "${env[name]}"`);
    process.exit(1);
  }
  return value;
}

const services: ServiceName[] = ["order", "payment", "inventory", "shipping", "notification"];
const urls = Object.fromEntries(
  services.map((s) => [s, env[`${s.toUpperCase()}_URL`] || `http://127.0.0.1:${defaultPorts[s]}`]),
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
serve(
  "dispatcher",
  env,
  app,
  async () => {
    // Finishes the batches in flight (their offsets commit) and leaves the groups, so the other
    // dispatchers take the partitions over at once instead of after the session timeout.
    await dispatcher.stop();
    await broker.close();
  },
  `${subscriptions.length} consumer groups on Kafka ${config.kafkaBrokers!.join(",")}${config.namespace ? `, namespace ${config.namespace}` : ""}; delivering to ${services.map((s) => `${s}=${urls[s]}`).join(" ")}`,
);
