import { Kafka, logLevel, Partitioners } from "kafkajs";
import { type BenchEvent, type ClientUnderTest, installedVersion, withConcurrency } from "./payload.ts";

/** kafkajs: eachBatch consumer, resolve + commit after each batch (autoCommit off). */
export function kafkajsClient(brokers: string[]): ClientUnderTest {
  const kafka = new Kafka({ clientId: "bench-kafkajs", brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  // Idempotence in kafkajs requires one request in flight per broker.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | undefined;
  const ready = () => (connected ??= Promise.all([admin.connect(), producer.connect()]).then(() => {}));
  const toMessage = (e: BenchEvent) => ({ key: e.key, value: e.value, headers: e.headers });

  return {
    name: "kafkajs",
    version: installedVersion("kafkajs"),
    async createTopic(topic, partitions) {
      await ready();
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    },
    async produceBatched(topic, events, batchSize) {
      await ready();
      for (let i = 0; i < events.length; i += batchSize) {
        await producer.send({ topic, acks: -1, messages: events.slice(i, i + batchSize).map(toMessage) });
      }
    },
    async produceConcurrent(topic, events, inFlight) {
      await ready();
      await withConcurrency(events, inFlight, (e) => producer.send({ topic, acks: -1, messages: [toMessage(e)] }));
    },
    async consume(topic, group, expected) {
      const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 500 });
      const started = performance.now();
      let first = 0;
      let seen = 0;
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        const done = new Promise<number>((resolve) => {
          void consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch, resolveOffset }) => {
              if (batch.messages.length === 0) return;
              if (seen === 0) first = performance.now();
              seen += batch.messages.length;
              const lastOffset = batch.lastOffset();
              resolveOffset(lastOffset);
              const next = (BigInt(lastOffset) + 1n).toString();
              await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
              if (seen >= expected) resolve(performance.now());
            },
          });
        });
        const finished = await done;
        return { joinMs: first - started, drainMs: finished - first };
      } finally {
        await consumer.disconnect();
      }
    },
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
