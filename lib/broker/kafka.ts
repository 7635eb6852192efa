import { Admin, compatibilityPartitioner, ProduceAcks, Producer, stringSerializer } from "@platformatic/kafka";
import type { AppError } from "../errors/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { defaultRetention } from "./embedded-retention.ts";
import { createKafkaSubscription } from "./kafka-consumer.ts";
import { closedError, hasKafkaError, KafkaErrorCode, toAppError } from "./kafka-errors.ts";
import { readKafkaTopic } from "./kafka-read-all.ts";
import { resetKafkaGroup } from "./kafka-reset.ts";
import { clientTuning } from "./kafka-support.ts";
import type { Broker, ProducedRecord, Subscription, TopicSpec } from "./types.ts";

export type KafkaBrokerOptions = {
  /** Bootstrap addresses, `host:port`. */
  brokers: string[];
  clientId?: string;
  /** Replicas of topics that ensureTopics creates. Default: the cluster's default.replication.factor. */
  replicationFactor?: number;
  /** How long topics that ensureTopics creates keep records. Default: 7 days; dead-letters keeps them until redriven. */
  retentionMs?: number;
  /** min.insync.replicas of topics that ensureTopics creates. Default: min(2, replicationFactor), or the cluster's when that is unset. */
  minInsyncReplicas?: number;
  /**
   * Static membership (Kafka's group.instance.id) for every subscription: a process started again
   * under the same id takes its partitions back at once, where a new member would wait for the
   * dead one's session timeout (20 s). Unique per process: a second live member with the same id
   * is fenced. A graceful close still leaves the groups at once.
   */
  groupInstanceId?: string;
  /**
   * How long the group waits for a member that stopped heartbeating (killed, cut off) before its
   * partitions go to the others: Kafka's session.timeout.ms. Default 20 s (kafka-consumer.ts).
   */
  sessionTimeoutMs?: number;
  /** Where failures no caller is waiting for (fetch, commit, group membership) go. Default: stdout. */
  log?: Logger;
};

/** How long ensureTopics waits for new partitions to get a leader before publishing can work. */
const leaderWaitMs = 10_000;

/**
 * The broker port on Apache Kafka through @platformatic/kafka (docs/kafka-client.md says why).
 * Publishing uses one idempotent producer with acks=all; each subscription is its own consumer
 * group member (kafka-consumer.ts); each readAll a client of its own in no group (kafka-read-all.ts).
 */

/**
 * Settings of a new topic, explicit rather than the cluster's defaults: retention (none for
 * dead-letters, kept until redriven, as the embedded broker does) and min.insync.replicas, so that
 * acks=all means "stored on that many replicas" whatever the cluster says.
 */
export function topicConfigs(topic: Pick<TopicSpec, "keep">, options: Pick<KafkaBrokerOptions, "retentionMs" | "replicationFactor" | "minInsyncReplicas">) {
  const keptForever = topic.keep === "forever";
  const retentionMs = keptForever ? -1 : (options.retentionMs ?? defaultRetention.ms);
  const { replicationFactor } = options;
  const minInsync = options.minInsyncReplicas ?? (replicationFactor === undefined ? undefined : Math.min(2, replicationFactor));
  return [
    { name: "retention.ms", value: String(retentionMs) },
    ...(keptForever ? [{ name: "retention.bytes", value: "-1" }] : []),
    ...(minInsync === undefined ? [] : [{ name: "min.insync.replicas", value: String(minInsync) }]),
  ];
}

/** How every producer of the flow writes (the client benchmark measures the same settings). */
export const reliableProducer = {
  // Sequence numbers per partition: a retried send is stored once, in order.
  idempotent: true,
  acks: ProduceAcks.ALL,
  // Java-compatible murmur2 (positive hash modulo partitions): the partition any other Kafka
  // client picks for the same key. The library's default differs for half the keys unless the
  // partition count is a power of two.
  partitioner: compatibilityPartitioner,
  serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
};

export function createKafkaBroker(options: KafkaBrokerOptions): Broker {
  const clientId = options.clientId ?? "orderflow";
  const log = options.log ?? createLogger({ name: clientId });
  const onError = (error: AppError) => log.error({ error }, "kafka: a failure no caller is waiting for");
  const base = { ...clientTuning, clientId, bootstrapBrokers: options.brokers };
  const admin = new Admin(base);
  const producer = new Producer({ ...base, ...reliableProducer });
  // An EventEmitter without an "error" listener throws: report instead.
  admin.on("error", (error: unknown) => onError(toAppError(error, KafkaErrorCode.ensureTopicsFailed, `${clientId} admin`)));
  producer.on("error", (error: unknown) => onError(toAppError(error, KafkaErrorCode.publishFailed, `${clientId} producer`)));
  const subscriptions = new Set<Subscription>();
  const reads = new Set<Promise<unknown>>();
  let closed: Promise<void> | undefined;

  async function createTopic(spec: TopicSpec) {
    const { name, partitions } = spec;
    try {
      await admin.createTopics({ topics: [{ topic: name, partitions, replicas: options.replicationFactor ?? -1 }], configs: topicConfigs(spec, options) });
    } catch (error) {
      if (!hasKafkaError(error, "TOPIC_ALREADY_EXISTS")) throw error;
    }
  }

  /** A topic is usable once every partition has a leader; metadata says so a moment after creation. */
  async function waitForLeaders(names: string[]) {
    const deadline = Date.now() + leaderWaitMs;
    for (;;) {
      const metadata = await admin.metadata({ topics: names, forceUpdate: true }).catch(() => undefined);
      const ready = names.every((name) => {
        const partitions = metadata?.topics.get(name)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
      });
      if (ready || Date.now() > deadline) return;
      await Bun.sleep(50);
    }
  }

  return {
    async ensureTopics(topics) {
      if (closed) throw closedError("ensureTopics");
      try {
        await Promise.all(topics.map(createTopic));
        await waitForLeaders(topics.map((t) => t.name));
      } catch (error) {
        throw toAppError(error, KafkaErrorCode.ensureTopicsFailed, `cannot create ${topics.map((t) => t.name).join(", ")}`);
      }
    },

    async publish(records: ProducedRecord[]) {
      if (closed) throw closedError("publish");
      if (records.length === 0) return;
      const messages = records.map((r) => ({
        topic: r.topic,
        key: r.key,
        // A view, not a copy: the library wants Buffers.
        value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
        headers: r.headers,
      }));
      try {
        await producer.send({ messages });
      } catch (error) {
        throw toAppError(error, KafkaErrorCode.publishFailed, `cannot publish ${records.length} record(s)`);
      }
    },

    async subscribe(subscribeOptions) {
      if (closed) throw closedError("subscribe");
      const subscription = await createKafkaSubscription({ ...subscribeOptions, brokers: options.brokers, clientId, groupInstanceId: options.groupInstanceId, sessionTimeoutMs: options.sessionTimeoutMs, onError });
      const tracked: Subscription = {
        async close() {
          subscriptions.delete(tracked);
          await subscription.close();
        },
      };
      subscriptions.add(tracked);
      return tracked;
    },

    async resetGroup(group, topics, to) {
      if (closed) throw closedError("resetGroup");
      await resetKafkaGroup(admin, group, topics, to);
    },

    async readAll(topic) {
      if (closed) throw closedError("readAll");
      const read = readKafkaTopic({ brokers: options.brokers, clientId, isClosed: () => closed !== undefined }, topic);
      reads.add(read);
      try {
        return await read;
      } finally {
        reads.delete(read);
      }
    },

    close() {
      closed ??= (async () => {
        await Promise.all([...subscriptions].map((s) => s.close()));
        // Each read stops at its next fetch and closes its own client.
        await Promise.allSettled(reads);
        await Promise.allSettled([producer.close(), admin.close()]);
      })();
      return closed;
    },
  };
}
