import type { Broker } from "./types.ts";

/**
 * Gives every topic and consumer group a prefix, so that several environments (a staging copy, a
 * test run) can share one Kafka cluster without reading each other's records. Handlers see the
 * plain topic names.
 */
export function withNamespace(broker: Broker, namespace: string): Broker {
  if (!namespace) return broker;
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
        handle: (records) => options.handle(records.map((r) => ({ ...r, topic: inner(r.topic) }))),
      }),
    close: () => broker.close(),
  };
}
