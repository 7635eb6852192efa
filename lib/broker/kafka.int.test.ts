import { describe } from "bun:test";
import { Admin } from "@platformatic/kafka";
import { tryGetServiceUrl } from "../testing/services.ts";
import { brokerContract } from "./broker.contract.ts";
import { createKafkaBroker } from "./kafka.ts";
import type { Broker } from "./types.ts";

// KAFKA_BROKERS=127.0.0.1:9092 after scripts/kafka/start.sh
const brokers = tryGetServiceUrl("kafka")?.split(",");

describe.skipIf(!brokers)("kafka adapter", () => {
  brokerContract("kafka", async () => {
    const bootstrap = brokers ?? [];
    const topics = new Set<string>();
    return {
      async open(): Promise<Broker> {
        const broker = createKafkaBroker({ brokers: bootstrap, clientId: "orderflow-contract" });
        return {
          ...broker,
          ensureTopics(specs) {
            for (const spec of specs) topics.add(spec.name);
            return broker.ensureTopics(specs);
          },
        };
      },
      // Every test makes new topics: deleting them keeps a long-lived test broker small.
      async cleanup() {
        if (topics.size === 0) return;
        const admin = new Admin({ clientId: "orderflow-contract-cleanup", bootstrapBrokers: bootstrap });
        await admin.deleteTopics({ topics: [...topics] }).catch(() => {});
        await admin.close();
      },
    };
  });
});
