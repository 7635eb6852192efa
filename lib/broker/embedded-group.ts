import type { PartitionLog } from "./embedded-log.ts";
import { type CommittedOffsets, offsetKey, offsetsFile, readOffsets, writeOffsets } from "./embedded-offsets.ts";
import { EmbeddedPartition, type Member } from "./embedded-partition.ts";
import type { RetentionLag } from "./embedded-retention.ts";
import { revokeWaitMs } from "./partition-pipeline.ts";
import { settleWithin } from "./waiting.ts";

/**
 * How long a commit may wait in memory for the next durable write of the group's offsets. A
 * second, as a Kafka consumer's auto-commit (5 s by default) is of the same order: at 20 ms the
 * five groups' writes (fsync, rename, directory fsync) took 6.7 % of the embedded flow's CPU in
 * saturation (bun run bench --quick, profiled). After a crash, at most that second of records is
 * delivered again, and every subscriber deduplicates it.
 */
const persistEveryMs = 1_000;

export type MemberOptions = Omit<Member, "topics"> & { topics: string[] };

/**
 * A consumer group of the embedded broker: its members, its committed offsets, and one delivery
 * loop per partition (embedded-partition.ts) that hands the partition's records to its current
 * owner. Offsets are written to disk by rename, so that a crash leaves the old or the new file,
 * never half, and at most every `persistEveryMs` (see `commit`).
 */
export class ConsumerGroup {
  private readonly members: Member[] = [];
  private readonly offsets: CommittedOffsets;
  private readonly file: string;
  private readonly partitions = new Map<string, EmbeddedPartition>();
  private closed = false;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    dir: string,
    readonly name: string,
    private readonly partitionsOf: (topic: string) => PartitionLog[],
    private readonly options: { sync: boolean; onBehindRetention: (lag: RetentionLag) => void; onReadError: (error: unknown) => void; onWriteError: (error: unknown) => void },
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
      // A member that leaves has its commits on disk, as a Kafka consumer commits on close.
      if (this.persistTimer) this.persist();
    };
  }

  /** The offsets committed so far, some of them perhaps not on disk yet (see `commit`). */
  get committed(): CommittedOffsets {
    return { ...this.offsets };
  }

  /** True while a subscription is in the group: its offsets may then not be moved. */
  get hasMembers(): boolean {
    return this.members.length > 0;
  }

  /** Moves the committed offset of one partition (a replay); only while the group has no member. */
  moveTo(log: PartitionLog, offset: bigint): void {
    this.commit(offsetKey(log.topic, log.partition), offset, true);
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
    if (this.persistTimer) this.persist();
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

  /**
   * The offset moves at once in memory (what this process delivers next); the file follows at most
   * `persistEveryMs` later, one durable write for every commit in between. A write (fsync, rename,
   * directory fsync) per settled batch blocked the one JS thread for most of a millisecond each,
   * several hundred times a second under load. A crash in between only redelivers those records,
   * which every subscriber deduplicates, as after any crash before a commit (at-least-once).
   */
  private commit(key: string, offset: bigint, now = false): void {
    this.offsets[key] = offset.toString();
    if (now) return this.persist();
    this.persistTimer ??= setTimeout(() => {
      try {
        this.persist();
      } catch (error) {
        // Kept in memory and written with the next commit or at close; a timer must not crash.
        this.options.onWriteError(error);
      }
    }, persistEveryMs);
  }

  private persist(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    writeOffsets(this.file, this.offsets, this.options.sync);
  }
}
