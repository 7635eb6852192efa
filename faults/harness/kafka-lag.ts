import { Admin } from "@platformatic/kafka";
import { subscriptions } from "../../apps/roster.ts";
import { allTopics } from "../../lib/events/index.ts";

/** Per subscription, how many records its dispatcher group has not committed yet. */
export type Lag = { total: number; perGroup: Record<string, number>; endOffsets: number };

// ListOffsets' special timestamp for a partition's end (its next offset).
const latestTimestamp = -1n;

/**
 * Reads every dispatcher group's committed offsets against its topics' end offsets, with the
 * Kafka Admin API of the client the flow itself uses: the flow is at rest only when every group is
 * at the end of every partition.
 */
export function createLagProbe(brokers: string, namespace: string) {
  let admin: Admin | undefined;
  const name = (topic: string) => `${namespace}.${topic}`;
  const partitions = new Map(allTopics.map((t) => [t.name, t.partitions]));

  /** A broker that restarted may leave the client broken: start afresh on the next call. */
  async function withAdmin<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    admin ??= new Admin({ clientId: "orderflow-faults", bootstrapBrokers: brokers.split(","), timeout: 5_000, retries: 1 });
    try {
      return await call(admin);
    } catch (error) {
      const broken = admin;
      admin = undefined;
      await broken.close().catch(() => {});
      throw error;
    }
  }

  /** End offset of every partition of `topics` (plain names), summed per topic/partition key. */
  async function ends(client: Admin, topics: string[]): Promise<Map<string, bigint>> {
    const listed = await client.listOffsets({
      topics: topics.map((topic) => ({ name: name(topic), partitions: Array.from({ length: partitions.get(topic) ?? 1 }, (_, partitionIndex) => ({ partitionIndex, timestamp: latestTimestamp })) })),
    });
    return new Map<string, bigint>(listed.flatMap((t) => t.partitions.map((p) => [`${t.name}/${p.partitionIndex}`, p.offset] as const)));
  }

  const lag = () =>
    withAdmin(async (client): Promise<Lag> => {
      const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
      const end = await ends(client, topics);
      const groups = await client.listConsumerGroupOffsets({ groups: subscriptions.map((s) => name(`dispatcher.${s.service}`)) });
      const perGroup: Record<string, number> = {};
      for (const { service, topics: subscribed } of subscriptions) {
        const committed = new Map<string, bigint>(
          (groups.find((g) => g.groupId === name(`dispatcher.${service}`))?.topics ?? []).flatMap((t) => t.partitions.map((p) => [`${t.name}/${p.partitionIndex}`, p.committedOffset] as const)),
        );
        let behind = 0n;
        for (const [key, offset] of end) {
          if (!subscribed.some((topic) => key.startsWith(`${name(topic)}/`))) continue;
          const at = committed.get(key) ?? -1n;
          // No commit yet: the group starts from the beginning, and every record is still to come.
          behind += offset - (at < 0n ? 0n : at);
        }
        perGroup[service] = Number(behind);
      }
      const endOffsets = Number([...end.values()].reduce((a, b) => a + b, 0n));
      return { total: Object.values(perGroup).reduce((a, b) => a + b, 0), perGroup, endOffsets };
    });

  return {
    lag,
    /** Records on a topic (sum of its end offsets), e.g. to count what the relay published. */
    records: (topic: string) => withAdmin(async (client) => Number([...(await ends(client, [topic])).values()].reduce((a, b) => a + b, 0n))),
    close: async () => void (await admin?.close().catch(() => {})),
  };
}

export type LagProbe = ReturnType<typeof createLagProbe>;
