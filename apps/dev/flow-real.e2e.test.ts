import { describe } from "bun:test";
import { createScratchDatabase, tryGetServiceUrl } from "../../lib/testing/index.ts";
import { orderFlowScenarios } from "./flow.scenarios.ts";

const [databaseUrl, kafka, redisUrl] = [tryGetServiceUrl("postgres"), tryGetServiceUrl("kafka"), tryGetServiceUrl("redis")];

if (databaseUrl && kafka && redisUrl) {
  orderFlowScenarios("Kafka + PostgreSQL + Redis", async () => {
    const scratch = await createScratchDatabase(databaseUrl);
    return {
      // A namespace of its own: earlier runs' records on the same cluster are not this run's.
      config: { databaseUrl: scratch.url, kafkaBrokers: kafka.split(","), redisUrl, namespace: `e2e-${crypto.randomUUID().slice(0, 8)}` },
      cleanup: scratch.drop,
    };
  });
} else {
  describe.skip("order flow: Kafka + PostgreSQL + Redis (DATABASE_URL, KAFKA_BROKERS and REDIS_URL not all set)", () => {});
}
