import { AppError } from "../errors/index.ts";
import type { Broker } from "./types.ts";

/**
 * Gives every topic and consumer group a prefix, so that several environments (a staging copy, a
 * test run) can share one Kafka cluster without reading each other's records. Handlers see the
 * plain topic names.
 */
export function withNamespace(broker: Broker, namespace: string): Broker {
  if (!namespace) return broker;
  // Kafka's rule for topic names; checked here so that a bad value fails at start-up, clearly.
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(namespace)) {
    throw new AppError("broker.invalid_namespace", `namespace "${namespace}" must be 1-200 characters of A-Z a-z 0-9 . _ -`);
  }
  const prefix = `${namespace}.`;
  const outer = (topic: string) => `${prefix}${topic}`;
  const inner = (topic: string) => (topic.startsWith(prefix) ? topic.slice(prefix.length) : topic);
  return {
    ensureTopics: (topics) => broker.ensureTopics(topics.map((t) => ({ ...t, name: outer(t.name) }))),
    publish: (records) => broker.publish(records.map((r) => ({ ...r, topic: outer(r.topic) }))),
    subscribe: (options) =>
      broker.subscribe({
        ...options,
        group: outer(options.group),
        topics: options.topics.map(outer),
        handle: (records, delivery) => options.handle(records.map((r) => ({ ...r, topic: inner(r.topic) })), delivery),
      }),
    resetGroup: (group, topics, to) => broker.resetGroup(outer(group), topics.map(outer), to),
    readAll: async (topic) => (await broker.readAll(outer(topic))).map((r) => ({ ...r, topic: inner(r.topic) })),
    close: () => broker.close(),
  };
}
