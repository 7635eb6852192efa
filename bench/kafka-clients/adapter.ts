import { loadKafka, type ProducedRecord } from "../../lib/broker/index.ts";
import { type BenchEvent, type ClientUnderTest, installedVersion, withConcurrency } from "./payload.ts";

const { createKafkaBroker } = await loadKafka();

/** The project's adapter (lib/broker/kafka.ts) on the chosen client: what the services will get. */
export function adapterClient(brokers: string[]): ClientUnderTest {
  const broker = createKafkaBroker({ brokers, clientId: "bench-adapter" });
  const toRecord = (topic: string) => (e: BenchEvent): ProducedRecord => ({ topic, key: e.key, value: e.value, headers: e.headers });

  return {
    name: "orderflow adapter",
    version: `on @platformatic/kafka ${installedVersion("@platformatic/kafka")}`,
    createTopic: (topic, partitions) => broker.ensureTopics([{ name: topic, partitions }]),
    async produceBatched(topic, events, batchSize) {
      for (let i = 0; i < events.length; i += batchSize) await broker.publish(events.slice(i, i + batchSize).map(toRecord(topic)));
    },
    async produceConcurrent(topic, events, inFlight) {
      const record = toRecord(topic);
      await withConcurrency(events, inFlight, (e) => broker.publish([record(e)]));
    },
    async consume(topic, group, expected) {
      const started = performance.now();
      let first = 0;
      let seen = 0;
      let finish: (at: number) => void = () => {};
      const finished = new Promise<number>((resolve) => (finish = resolve));
      const subscription = await broker.subscribe({
        group,
        topics: [topic],
        handle: async (records) => {
          if (seen === 0) first = performance.now();
          seen += records.length;
          if (seen >= expected) finish(performance.now());
        },
      });
      const done = await finished;
      await subscription.close();
      return { joinMs: first - started, drainMs: done - first };
    },
    close: () => broker.close(),
  };
}
