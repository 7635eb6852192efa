import {
  type ConnectionPool,
  type Consumer,
  FetchIsolationLevels,
  type GroupAssignment,
  IS_CONTROL,
  type KafkaRecord,
  ListOffsetTimestamps,
} from "@platformatic/kafka";
import { hasKafkaError } from "./kafka-errors.ts";
import type { ConsumedRecord } from "./types.ts";

type FetchResponse = Awaited<ReturnType<Consumer["fetch"]>>;
type FetchRequestTopic = Parameters<Consumer["fetch"]>[0]["topics"][number];

/** Where the next fetch of one partition starts. */
export type Position = { topic: string; partition: number; offset: bigint };

/** The records of one partition from one fetch, and the offset after the last batch seen. */
export type PartitionBatch = { position: Position; records: ConsumedRecord[]; next: bigint };

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

const fetchSettings = {
  // Long poll: an idle partition costs one request per maxWaitTime, and close() waits at most this.
  maxWaitTime: 500,
  minBytes: 1,
  maxBytes: 8 * 1024 * 1024,
  partitionMaxBytes: 1024 * 1024,
  // Records of aborted transactions never reach handlers.
  isolationLevel: FetchIsolationLevels.READ_COMMITTED,
};

/**
 * The group's committed offset for each assigned partition; partitions the group never committed
 * start at the log's beginning or end, as `fromBeginning` says.
 */
export async function resolvePositions(
  consumer: Consumer,
  assignments: GroupAssignment[],
  fromBeginning: boolean,
): Promise<Map<string, Position>> {
  const positions = new Map<string, Position>();
  if (assignments.length === 0) return positions;
  const committed = await consumer.listCommittedOffsets({ topics: assignments });
  const missing: Position[] = [];
  for (const { topic, partitions } of assignments) {
    for (const partition of partitions) {
      const offset = committed.get(topic)?.[partition] ?? -1n;
      const position = { topic, partition, offset };
      if (offset < 0n) missing.push(position);
      positions.set(partitionKey(topic, partition), position);
    }
  }
  await resetPositions(consumer, missing, fromBeginning);
  return positions;
}

/** Moves `positions` in place to the earliest or latest offset of their partitions. */
export async function resetPositions(consumer: Consumer, positions: Position[], fromBeginning: boolean) {
  if (positions.length === 0) return;
  const partitions: Record<string, number[]> = {};
  for (const p of positions) (partitions[p.topic] ??= []).push(p.partition);
  const offsets = await consumer.listOffsets({
    topics: Object.keys(partitions),
    partitions,
    timestamp: fromBeginning ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
  });
  for (const p of positions) p.offset = offsets.get(p.topic)?.[p.partition] ?? 0n;
}

/**
 * One fetch for the given partitions, one request per leader, on `pool` so that a long poll never
 * delays the group's heartbeats and commits. Partitions whose offset fell out of the log (retention)
 * are moved to the beginning or end and come back with no records.
 */
export async function fetchBatches(
  consumer: Consumer,
  pool: ConnectionPool,
  positions: Position[],
  fromBeginning: boolean,
): Promise<PartitionBatch[]> {
  const metadata = await consumer.metadata({ topics: [...new Set(positions.map((p) => p.topic))] });
  const byNode = new Map<number, Map<string, FetchRequestTopic>>();
  const byId = new Map<string, Position>();
  for (const p of positions) {
    const topic = metadata.topics.get(p.topic);
    if (!topic) continue;
    const node = topic.partitions[p.partition]?.leader ?? -1;
    const topics = byNode.get(node) ?? new Map<string, FetchRequestTopic>();
    byNode.set(node, topics);
    const request = topics.get(topic.id) ?? { topicId: topic.id, partitions: [] };
    topics.set(topic.id, request);
    request.partitions.push({
      partition: p.partition,
      fetchOffset: p.offset,
      partitionMaxBytes: fetchSettings.partitionMaxBytes,
      currentLeaderEpoch: -1,
      lastFetchedEpoch: -1,
    });
    byId.set(partitionKey(topic.id, p.partition), p);
  }
  const responses = await Promise.all(
    [...byNode].map(([node, topics]) =>
      consumer
        .fetch({ ...fetchSettings, node, topics: [...topics.values()], connectionPool: pool })
        .catch(async (error: unknown) => {
          if (!hasKafkaError(error, "OFFSET_OUT_OF_RANGE")) throw error;
          const stale = outOfRange((error as { response?: FetchResponse }).response, byId);
          await resetPositions(consumer, stale, fromBeginning);
          return undefined;
        }),
    ),
  );
  return responses.flatMap((response) => (response ? toBatches(response, byId) : []));
}

function outOfRange(response: FetchResponse | undefined, byId: Map<string, Position>): Position[] {
  const stale: Position[] = [];
  for (const topic of response?.responses ?? []) {
    for (const partition of topic.partitions) {
      const position = byId.get(partitionKey(topic.topicId, partition.partitionIndex));
      if (position && partition.errorCode === 1) stale.push(position);
    }
  }
  return stale;
}

const decoder = new TextDecoder();
const text = (bytes: Buffer | null) => (bytes ? decoder.decode(bytes) : "");

function toBatches(response: FetchResponse, byId: Map<string, Position>): PartitionBatch[] {
  const batches: PartitionBatch[] = [];
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      const position = byId.get(partitionKey(topic.topicId, partition.partitionIndex));
      if (!position || !partition.records?.length) continue;
      const batch: PartitionBatch = { position, records: [], next: position.offset };
      for (const recordBatch of partition.records) {
        const last = recordBatch.firstOffset + BigInt(recordBatch.lastOffsetDelta);
        if (last + 1n > batch.next) batch.next = last + 1n;
        if (recordBatch.attributes & IS_CONTROL) continue; // transaction markers
        for (const record of recordBatch.records) {
          const offset = recordBatch.firstOffset + BigInt(record.offsetDelta);
          // A stored batch can begin before the offset asked for.
          if (offset >= position.offset) batch.records.push(toConsumed(record, position, offset));
        }
      }
      batches.push(batch);
    }
  }
  return batches;
}

function toConsumed(record: KafkaRecord, position: Position, offset: bigint): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [key, value] of record.headers) headers[text(key)] = text(value);
  return {
    topic: position.topic,
    partition: position.partition,
    offset,
    key: text(record.key),
    value: record.value ?? new Uint8Array(),
    headers,
  };
}
