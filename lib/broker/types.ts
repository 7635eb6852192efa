/**
 * The broker port: a partitioned, replayable log with consumer groups.
 * Adapters: `embedded.ts` (durable files, one process) and `kafka.ts` (Apache Kafka / Redpanda).
 * Both pass `broker.contract.ts`.
 */

export type TopicSpec = {
  name: string;
  partitions: number;
  /**
   * "forever": no retention by age or size (a topic whose records wait for a person, such as
   * dead-letters, kept until redriven). Default: the broker's retention.
   */
  keep?: "forever";
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
 * Handed with each batch. `signal` aborts (reason: an AbortError DOMException) when the partition
 * is revoked (another member of the group takes it) or the subscription closes: stop work on the
 * batch and throw (its records come again to whoever owns the partition next). The partition moves
 * on once its batches in flight settled and what finished is committed, so a handler that ignores
 * the signal delays the rebalance; the Kafka adapter waits at most 15 s, then lets the rebalance go
 * on (and fetches the partition again, should it come back, only once those batches ended).
 */
export type Delivery = { signal: AbortSignal };

/**
 * Receives records of ONE partition, in offset order. When it resolves, every record in the batch
 * is done; when it throws, the records from the first unfinished one on come again (at-least-once).
 * Handlers therefore must be idempotent.
 *
 * - Batches of a partition are handed over in offset order; with `maxInFlight` above `maxBatch`,
 *   later ones may be handed over while earlier ones still run. Partitions never wait for each
 *   other: a slow or failing batch holds back only its own partition.
 * - The group's committed offset of a partition moves to just past the longest prefix of resolved
 *   batches, soon after they resolve (Kafka: on the fetch loop's next turn, within about 0.5 s),
 *   never past an unfinished or failed record.
 * - A batch that throws stops the handover of its partition; once the partition's other batches
 *   settled, and after a per-partition backoff (100 ms doubling to 5 s), every record from the
 *   committed offset on comes again, in order.
 */
export type BatchHandler = (records: ConsumedRecord[], delivery: Delivery) => Promise<void>;

export type SubscribeOptions = {
  /** Consumer group: members of one group share the partitions; each group sees every record. */
  group: string;
  topics: string[];
  handle: BatchHandler;
  /** Upper bound on records handed over in one call. */
  maxBatch?: number;
  /**
   * Records of one partition handed over and not yet finished, at most (default, and any value
   * below it: maxBatch, i.e. one batch at a time, as before). With more, the next batches of a
   * partition are handed over while earlier ones are still running: the handler then owns the
   * order between them (e.g. per key). Memory stays bounded too: a partition is fetched only while
   * none of its fetched records wait and fewer than this are unfinished (one Kafka fetch brings at
   * most 1 MiB of a partition; the records beyond the room wait, in order, and are not fetched again).
   */
  maxInFlight?: number;
  /** Where a group without a committed offset starts. Default: "earliest". */
  fromBeginning?: boolean;
};

export type Subscription = {
  /**
   * Stops fetching, aborts the signal of every batch in flight and waits for them to settle (up to
   * 15 s), commits what finished, leaves the group.
   */
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
  /**
   * Every record of `topic` kept now, partition by partition in offset order, from the earliest
   * record kept to the end of each partition as of the call; no consumer group is involved (nothing
   * is committed, any number of processes may read at once). For small topics read whole (the
   * dead-letters topic); throws broker.unknown_topic for a topic that does not exist.
   */
  readAll(topic: string): Promise<ConsumedRecord[]>;
  close(): Promise<void>;
};

export const BrokerErrorCode = {
  unknownTopic: "broker.unknown_topic",
  closed: "broker.closed",
  groupActive: "broker.group_active",
} as const;
