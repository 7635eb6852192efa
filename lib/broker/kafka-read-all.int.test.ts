import { afterAll, describe, expect, test } from "bun:test";
import { Admin, Producer } from "@platformatic/kafka";
import { tryGetServiceUrl } from "../testing/index.ts";
import { createKafkaBroker, reliableProducer } from "./kafka.ts";
import { readKafkaTopic } from "./kafka-read-all.ts";
import type { Broker, ProducedRecord } from "./types.ts";

// KAFKA_BROKERS=127.0.0.1:9092 after scripts/kafka/start.sh
const brokers = tryGetServiceUrl("kafka")?.split(",");

/** Kafka-only cases of readAll (the shared ones are in broker-read-all.contract.ts). */
describe.skipIf(!brokers)("kafka readAll", () => {
  const bootstrap = brokers ?? [];
  const topics: string[] = [];
  const opened: Array<{ close(): Promise<unknown> }> = [];
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const record = (topic: string, value: string): ProducedRecord => ({ topic, key: "k", value: encoder.encode(value), headers: {} });

  async function newTopic(broker: Broker, partitions = 1): Promise<string> {
    const topic = `read-all-${crypto.randomUUID().slice(0, 8)}`;
    topics.push(topic);
    await broker.ensureTopics([{ name: topic, partitions }]);
    return topic;
  }
  function open(): Broker {
    const broker = createKafkaBroker({ brokers: bootstrap, clientId: "orderflow-read-all" });
    opened.push(broker);
    return broker;
  }
  afterAll(async () => {
    for (const item of opened.splice(0)) await item.close().catch(() => {});
    const admin = new Admin({ clientId: "orderflow-contract-cleanup", bootstrapBrokers: bootstrap });
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.close();
  }, 60_000);

  test("records appended once the ends are listed are left out", async () => {
    const broker = open();
    const topic = await newTopic(broker, 2);
    await broker.publish(["one", "two", "three"].map((v) => record(topic, v)));
    const records = await readKafkaTopic(
      {
        brokers: bootstrap,
        clientId: "orderflow-read-all",
        isClosed: () => false,
        afterCapture: () => broker.publish(["four", "five"].map((v) => record(topic, v))),
      },
      topic,
    );
    expect(records.map((r) => decoder.decode(r.value))).toEqual(["one", "two", "three"]);
    expect((await broker.readAll(topic)).map((r) => decoder.decode(r.value))).toEqual(["one", "two", "three", "four", "five"]);
  });

  test("transaction markers, aborted records and a transaction still open do not keep readAll from ending", async () => {
    const broker = open();
    const topic = await newTopic(broker);
    // Two transactional producers: the client filters aborted records by producer, and keeps one
    // aborted range per producer in a fetch answer (@platformatic/kafka 2.12.1).
    const producer = (name: string) => {
      const made = new Producer({ ...reliableProducer, clientId: "orderflow-read-all-tx", bootstrapBrokers: bootstrap, transactionalId: `${name}-${topic}` });
      opened.push(made);
      return made;
    };
    const [settled, pending] = [producer("settled"), producer("pending")];
    const inTransaction = async (by: ReturnType<typeof producer>, values: string[], end: "commit" | "abort" | "open") => {
      const transaction = await by.beginTransaction();
      await transaction.send({ messages: values.map((value) => ({ topic, key: "k", value: Buffer.from(value), headers: {} })) });
      if (end === "commit") await transaction.commit();
      if (end === "abort") await transaction.abort();
      return transaction;
    };
    await broker.publish([record(topic, "plain")]);
    await inTransaction(settled, ["committed"], "commit");
    await inTransaction(settled, ["aborted"], "abort");
    // Open at the end of the log: the partition's stable end stops before it, and so does the read.
    const undecided = await inTransaction(pending, ["undecided"], "open");
    try {
      expect((await broker.readAll(topic)).map((r) => decoder.decode(r.value))).toEqual(["plain", "committed"]);
    } finally {
      await undecided.abort();
    }
    // The log now ends with an abort marker: no record sits at the end's last offset.
    expect((await broker.readAll(topic)).map((r) => decoder.decode(r.value))).toEqual(["plain", "committed"]);
    await broker.publish([record(topic, "after")]);
    expect((await broker.readAll(topic)).map((r) => decoder.decode(r.value))).toEqual(["plain", "committed", "after"]);
  }, 20_000);
});
