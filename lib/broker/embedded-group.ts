import type { PartitionLog } from "./embedded-log.ts";
import { type CommittedOffsets, offsetKey, offsetsFile, readOffsets, writeOffsets } from "./embedded-offsets.ts";
import { EmbeddedPartition, type Member } from "./embedded-partition.ts";
import type { RetentionLag } from "./embedded-retention.ts";
import { revokeWaitMs } from "./partition-pipeline.ts";
import { settleWithin } from "./waiting.ts";

export type MemberOptions = Omit<Member, "topics"> & { topics: string[] };

/**
 * A consumer group of the embedded broker: its members, its committed offsets, and one delivery
 * loop per partition (embedded-partition.ts) that hands the partition's records to its current
 * owner. Offsets are written to disk by rename, so that a crash leaves the old or the new file,
 * never half.
 */
export class ConsumerGroup {
  private readonly members: Member[] = [];
  private readonly offsets: CommittedOffsets;
  private readonly file: string;
  private readonly partitions = new Map<string, EmbeddedPartition>();
  private closed = false;

  constructor(
    dir: string,
    readonly name: string,
    private readonly partitionsOf: (topic: string) => PartitionLog[],
    private readonly options: { sync: boolean; onBehindRetention: (lag: RetentionLag) => void; onReadError: (error: unknown) => void },
  ) {
    this.file = offsetsFile(dir, name);
    this.offsets = readOffsets(this.file);
  }

  /** Adds a member; the returned function makes it leave (at most revokeWaitMs for its batches to settle). */
  join(options: MemberOptions): () => Promise<void> {
    const member: Member = { ...options, topics: new Set(options.topics) };
    this.members.push(member);
    for (const topic of options.topics) for (const log of this.partitionsOf(topic)) this.start(log);
    this.wake();
    return async () => {
      const index = this.members.indexOf(member);
      if (index >= 0) this.members.splice(index, 1);
      const released = [...this.partitions.values()].filter((p) => p.ownedBy(member)).map((p) => p.release());
      this.wake();
      await settleWithin(Promise.all(released), revokeWaitMs);
    };
  }

  /** True while a subscription is in the group: its offsets may then not be moved. */
  get hasMembers(): boolean {
    return this.members.length > 0;
  }

  /** Moves the committed offset of one partition (a replay); only while the group has no member. */
  moveTo(log: PartitionLog, offset: bigint): void {
    this.commit(offsetKey(log.topic, log.partition), offset);
  }

  /** Called by the broker when records arrive, and on membership changes. */
  wake(): void {
    for (const partition of this.partitions.values()) partition.wake();
  }

  /** Stops every partition: aborts the batches in flight and waits for them, however long they take. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await Promise.all([...this.partitions.values()].map((p) => p.done));
  }

  private start(log: PartitionLog): void {
    const key = offsetKey(log.topic, log.partition);
    if (this.partitions.has(key) || this.closed) return;
    const committed = () => (this.offsets[key] === undefined ? undefined : BigInt(this.offsets[key]));
    const partition = new EmbeddedPartition(log, {
      group: this.name,
      ownerOf: (l) => this.ownerOf(l),
      committed,
      commit: (offset) => this.commit(key, offset),
      isClosed: () => this.closed,
      onBehindRetention: this.options.onBehindRetention,
      onReadError: this.options.onReadError,
    });
    this.partitions.set(key, partition);
  }

  /** Round-robin over the members subscribed to the topic, in join order: deterministic ownership. */
  private ownerOf(log: PartitionLog): Member | undefined {
    const candidates = this.members.filter((m) => m.topics.has(log.topic));
    return candidates.length === 0 ? undefined : candidates[log.partition % candidates.length];
  }

  private commit(key: string, offset: bigint): void {
    this.offsets[key] = offset.toString();
    writeOffsets(this.file, this.offsets, this.options.sync);
  }
}
