import {
  Admin,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
} from "@platformatic/kafka";
import { type BenchEvent, type ClientUnderTest, installedVersion, withConcurrency } from "./payload.ts";
import { loadKafka } from "../../lib/broker/index.ts";

/** @platformatic/kafka: stream consumer, manual commits every `commitEvery` records. */
const { reliableProducer } = await loadKafka();

export function platformaticClient(brokers: string[]): ClientUnderTest {
  const base = { clientId: "bench-platformatic", bootstrapBrokers: brokers };
  const admin = new Admin(base);
  const producer = new Producer({ ...base, ...reliableProducer });
  const toMessage = (topic: string) => (e: BenchEvent) => ({ topic, key: e.key, value: e.value, headers: e.headers });

  return {
    name: "@platformatic/kafka",
    version: installedVersion("@platformatic/kafka"),
    async createTopic(topic, partitions) {
      await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    },
    async produceBatched(topic, events, batchSize) {
      for (let i = 0; i < events.length; i += batchSize) {
        await producer.send({ messages: events.slice(i, i + batchSize).map(toMessage(topic)) });
      }
    },
    async produceConcurrent(topic, events, inFlight) {
      const message = toMessage(topic);
      await withConcurrency(events, inFlight, (e) => producer.send({ messages: [message(e)] }));
    },
    async consume(topic, group, expected) {
      const commitEvery = 1000;
      const consumer = new Consumer({ ...base, groupId: group, autocommit: false, maxWaitTime: 500 });
      const started = performance.now();
      let first = 0;
      try {
        const stream = await consumer.consume({
          topics: [topic],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: MessagesStreamFallbackModes.EARLIEST,
          autocommit: false,
        });
        const last = new Map<number, { offset: bigint; leaderEpoch: number }>();
        let seen = 0;
        const commit = () =>
          consumer.commit({
            offsets: [...last].map(([partition, m]) => ({ topic, partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch })),
          });
        for await (const message of stream) {
          if (seen++ === 0) first = performance.now();
          last.set(message.partition, { offset: message.offset, leaderEpoch: message.leaderEpoch });
          if (seen % commitEvery === 0) await commit();
          if (seen >= expected) break;
        }
        await commit();
        const done = performance.now();
        await stream.close();
        return { joinMs: first - started, drainMs: done - first };
      } finally {
        await consumer.close(true);
      }
    },
    async close() {
      await producer.close();
      await admin.close();
    },
  };
}
