/**
 * The broker port: a partitioned, replayable log with consumer groups.
 * Adapters: `embedded.ts` (durable files, one process) and `kafka.ts` (Apache Kafka / Redpanda).
 * Both pass `broker.contract.ts`.
 */

export type TopicSpec = {
  name: string;
  partitions: number;
};

/** A record to append. Records with the same key land on the same partition, in order. */
export type ProducedRecord = {
  topic: string;
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
};

export type ConsumedRecord = ProducedRecord & {
  partition: number;
  offset: bigint;
};

/**
 * Receives the next records of ONE partition, in offset order. When it resolves, every record in
 * the batch is done and the group's offset moves past them; when it throws, nothing is committed and
 * the same records come again (at-least-once). Handlers therefore must be idempotent.
 */
export type BatchHandler = (records: ConsumedRecord[]) => Promise<void>;

export type SubscribeOptions = {
  /** Consumer group: members of one group share the partitions; each group sees every record. */
  group: string;
  topics: string[];
  handle: BatchHandler;
  /** Upper bound on records handed over in one call. */
  maxBatch?: number;
  /** Where a group without a committed offset starts. Default: "earliest". */
  fromBeginning?: boolean;
};

export type Subscription = {
  /** Stops fetching, waits for the batch in flight, leaves the group. */
  close(): Promise<void>;
};

/**
 * Where `resetGroup` moves a group, on every partition of its topics: the earliest record kept,
 * an offset (clamped to what the partition holds), or the first record appended at or after a time
 * (the end of the partition when none was).
 */
export type ResetPoint = { earliest: true } | { offset: bigint } | { time: Date };

export type Broker = {
  /** Creates the topics that are missing; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Appends records durably (acks=all on Kafka); resolves once all are stored. */
  publish(records: ProducedRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Moves a consumer group's committed offsets on every partition of `topics` (replay). The group
   * must have no active member (Kafka refuses otherwise; both adapters throw `broker.group_active`):
   * stop its consumers first. Their next subscribe reads from the new point.
   */
  resetGroup(group: string, topics: string[], to: ResetPoint): Promise<void>;
  close(): Promise<void>;
};

export const BrokerErrorCode = {
  unknownTopic: "broker.unknown_topic",
  closed: "broker.closed",
  groupActive: "broker.group_active",
} as const;
