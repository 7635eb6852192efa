import { allCommittedOffsets, type CommittedOffsets } from "./embedded-offsets.ts";
import type { TopicSpec } from "./types.ts";

/** How much of a partition the embedded broker keeps. Infinity: no limit. */
export type RetentionPolicy = {
  /** Size of a partition above which its oldest segments are deleted. */
  bytes: number;
  /** Age of a segment's newest record above which the segment is deleted. */
  ms: number;
  /** Size at which the last segment is closed and a new one started: the unit retention deletes. */
  segmentBytes: number;
};

const MiB = 1024 * 1024;

/** Kafka's defaults for age (7 days); 1 GiB per partition; 64 MiB segments, so retention frees space in steps. */
export const defaultRetention: RetentionPolicy = { bytes: 1024 * MiB, ms: 7 * 24 * 3600 * 1000, segmentBytes: 64 * MiB };

/** The default policy of a topic: none by age or size for one kept forever (dead-letters), as on Kafka. */
export function defaultRetentionOf(topic: Pick<TopicSpec, "keep">): RetentionPolicy {
  return topic.keep === "forever" ? { ...defaultRetention, bytes: Infinity, ms: Infinity } : defaultRetention;
}

/** A consumer group whose committed offset is before the earliest record retention kept. */
export type RetentionLag = { group: string; topic: string; partition: number; committed: bigint; earliest: bigint };

export function describeLag({ group, topic, partition, committed, earliest }: RetentionLag): string {
  return (
    `embedded broker: consumer group "${group}" is behind the retention point of ${topic}/${partition}: ` +
    `offsets ${committed}..${earliest - 1n} (${earliest - committed} records) were deleted before it read them; ` +
    `it moves on to ${earliest}`
  );
}

/**
 * Groups, running or not, whose committed offset is before `earliestOf` their partition. The groups
 * open in this process are judged by `open`, their offsets in memory: a commit reaches the disk up
 * to a second later.
 */
export function groupsBehindRetention(
  groupsDir: string,
  earliestOf: (topic: string, partition: number) => bigint | undefined,
  open: Array<{ group: string; offsets: CommittedOffsets }> = [],
): RetentionLag[] {
  const committed = new Map([...allCommittedOffsets(groupsDir), ...open].map(({ group, offsets }) => [group, offsets]));
  return [...committed].flatMap(([group, offsets]) =>
    Object.entries(offsets).flatMap(([key, value]) => {
      const at = key.lastIndexOf("/");
      const [topic, partition, committed] = [key.slice(0, at), Number(key.slice(at + 1)), BigInt(value)];
      const earliest = earliestOf(topic, partition);
      return earliest !== undefined && committed < earliest ? [{ group, topic, partition, committed, earliest }] : [];
    }),
  );
}
