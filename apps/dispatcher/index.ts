import { Hono } from "hono";
import { openBroker, publicAddress, requireEngines, serve } from "../../lib/engines/index.ts";
import { createLogger } from "../../lib/log/index.ts";
import { createWebhookSigner, securityConfigFromEnv } from "../../lib/security/index.ts";
import { allTopics } from "../../lib/events/index.ts";
import { roster, subscriptions } from "../roster.ts";
import { createDispatcher, type SubscriptionSpec } from "./dispatcher.ts";
import { defaultPushConcurrency } from "./push-queue.ts";
import { retryPolicyFromEnv } from "./retry-config.ts";
import { createHttpDeliver } from "./http-deliver.ts";

// Composition root of a dispatcher process (`bun run start dispatcher`): the only place that reads
// the environment. Run several: each subscription is one consumer group, so they share partitions.
const defaultPort = 3070;
const env = process.env;
const log = createLogger({ name: "dispatcher", level: env.LOG_LEVEL });
const config = requireEngines(log, env, ["kafkaBrokers"]);

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(env[name] || fallback);
  if (!Number.isInteger(value) || value <= 0) {
    log.error({ setting: name, value: env[name] }, `${name} must be a positive integer`);
    process.exit(1);
  }
  return value;
}

// Pushes go to each service's internal listener (its port + 1 unless <NAME>_EVENTS_URL says otherwise).
const urls = Object.fromEntries(
  roster.map((s) => [s.name, env[`${s.name.toUpperCase()}_EVENTS_URL`] || `http://127.0.0.1:${s.port + 1}`]),
) as Record<string, string>;
const urlOf = (service: string) => urls[service]!;

const sign = createWebhookSigner(securityConfigFromEnv(env).webhookSecrets);
const broker = await openBroker(config, log, "orderflow-dispatcher");
await broker.ensureTopics(allTopics);
let withPolicies: SubscriptionSpec[];
try {
  withPolicies = subscriptions.map((spec) => ({ ...spec, retry: retryPolicyFromEnv(env, spec.service) }));
} catch (error) {
  log.error({ error }, "invalid retry settings");
  process.exit(1);
}
const dispatcher = createDispatcher({
  broker,
  subscriptions: withPolicies,
  urlOf,
  sign,
  deliver: createHttpDeliver({ urlOf, timeoutMs: numberFromEnv("DISPATCH_TIMEOUT_MS", 10_000) }),
  pushConcurrency: numberFromEnv("DISPATCH_CONCURRENCY", defaultPushConcurrency),
  log,
});
await dispatcher.start();

const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok", service: "dispatcher" }));
serve(
  log,
  [{ ...publicAddress(env, defaultPort), fetch: app.fetch, label: "health" }],
  async () => {
    // Finishes the batches in flight (their offsets commit) and leaves the groups, so the other
    // dispatchers take the partitions over at once instead of after the session timeout.
    await dispatcher.stop();
    await broker.close();
  },
  `${subscriptions.length} consumer groups on Kafka ${config.kafkaBrokers!.join(",")}${config.namespace ? `, namespace ${config.namespace}` : ""}; delivering to ${roster.map((s) => `${s.name}=${urls[s.name]}`).join(" ")}`,
);
