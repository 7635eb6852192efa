import type { Admin } from "@platformatic/kafka";
import { AppError } from "../errors/index.ts";
import { hasKafkaError, KafkaErrorCode, toAppError } from "./kafka-errors.ts";
import { BrokerErrorCode, type ResetPoint } from "./types.ts";

// ListOffsets' special timestamps: the partition's log start and its end.
const earliestTimestamp = -2n;
const latestTimestamp = -1n;

type Offsets = Map<string, bigint>;
const key = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * Moves a consumer group's committed offsets with the Admin API (as kafka-consumer-groups.sh
 * --reset-offsets does). Kafka only accepts it for a group without members, so that is checked
 * first and named in the error rather than left to a bare UNKNOWN_MEMBER_ID.
 */
export async function resetKafkaGroup(admin: Admin, group: string, topics: string[], to: ResetPoint): Promise<void> {
  try {
    await assertNoMembers(admin, group);
    const partitions = await partitionsOf(admin, topics);
    const [earliest, latest] = await Promise.all([listOffsets(admin, partitions, earliestTimestamp), listOffsets(admin, partitions, latestTimestamp)]);
    const atTime = "time" in to ? await listOffsets(admin, partitions, BigInt(to.time.getTime())) : undefined;
    const target = (topic: string, partition: number): bigint => {
      const [start, end] = [earliest.get(key(topic, partition)) ?? 0n, latest.get(key(topic, partition)) ?? 0n];
      if ("earliest" in to) return start;
      if ("offset" in to) return to.offset < start ? start : to.offset > end ? end : to.offset;
      // No record at or after the time: Kafka answers -1, the end of the partition.
      const found = atTime?.get(key(topic, partition)) ?? -1n;
      return found < 0n ? end : found;
    };
    await admin.alterConsumerGroupOffsets({
      groupId: group,
      topics: topics.map((name) => ({
        name,
        partitionOffsets: (partitions.get(name) ?? []).map((partition) => ({ partition, offset: target(name, partition) })),
      })),
    });
  } catch (error) {
    if (hasKafkaError(error, "UNKNOWN_MEMBER_ID") || hasKafkaError(error, "REBALANCE_IN_PROGRESS")) throw groupActive(group);
    throw toAppError(error, KafkaErrorCode.resetGroupFailed, `cannot reset consumer group "${group}"`);
  }
}

async function assertNoMembers(admin: Admin, group: string): Promise<void> {
  const described = (await admin.describeGroups({ groups: [group] })).get(group);
  if (described && described.members.size > 0) throw groupActive(group);
}

async function partitionsOf(admin: Admin, topics: string[]): Promise<Map<string, number[]>> {
  const metadata = await admin.metadata({ topics, forceUpdate: true });
  return new Map(
    topics.map((name) => {
      const topic = metadata.topics.get(name);
      if (!topic) throw new AppError(BrokerErrorCode.unknownTopic, `unknown topic "${name}"`, { status: 404 });
      return [name, topic.partitions.map((_, index) => index)];
    }),
  );
}

async function listOffsets(admin: Admin, partitions: Map<string, number[]>, timestamp: bigint): Promise<Offsets> {
  const listed = await admin.listOffsets({
    topics: [...partitions].map(([name, indexes]) => ({ name, partitions: indexes.map((partitionIndex) => ({ partitionIndex, timestamp })) })),
  });
  return new Map(listed.flatMap((topic) => topic.partitions.map((p) => [key(topic.name, p.partitionIndex), p.offset] as const)));
}

function groupActive(group: string): AppError {
  return new AppError(BrokerErrorCode.groupActive, `consumer group "${group}" has active members; Kafka only resets a group without members: stop its consumers (the dispatcher) first`, { status: 409 });
}
