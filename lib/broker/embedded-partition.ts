import type { PartitionLog } from "./embedded-log.ts";
import type { RetentionLag } from "./embedded-retention.ts";
import { PartitionPipeline, retryDelayMs } from "./partition-pipeline.ts";
import type { BatchHandler } from "./types.ts";
import { createWaker } from "./waiting.ts";

export type Member = { topics: Set<string>; handle: BatchHandler; maxBatch: number; maxInFlight: number };

export type PartitionContext = {
  group: string;
  ownerOf(log: PartitionLog): Member | undefined;
  /** The partition's committed offset in the group, if it has one. */
  committed(): bigint | undefined;
  commit(offset: bigint): void;
  isClosed(): boolean;
  onBehindRetention: (lag: RetentionLag) => void;
  onReadError: (error: unknown) => void;
};

/**
 * The delivery loop of one partition of an embedded consumer group. It belongs to the group, not to
 * a member, so the partition is never handed to two members at once: when its owner changes (a
 * member joins or leaves) or the group closes, the batches in flight are aborted and waited for,
 * and what finished is committed, before the next owner gets anything. A committed offset that
 * retention has deleted the records after is reported, then moved to the earliest record kept:
 * never skipped silently.
 */
export class EmbeddedPartition {
  readonly done: Promise<void>;
  private readonly waker = createWaker();
  private pipeline: PartitionPipeline | undefined;
  private owner: Member | undefined;
  private committedOffset = 0n;
  private releasing: Promise<void> | undefined;

  constructor(
    private readonly log: PartitionLog,
    private readonly context: PartitionContext,
  ) {
    this.done = this.run();
  }

  /** Records arrived, the membership changed or the group closes. */
  wake(): void {
    this.waker.wake();
  }

  ownedBy(member: Member): boolean {
    return this.pipeline !== undefined && this.owner === member;
  }

  /** Aborts the batches in flight, waits for them to settle, commits what finished: the partition is then free. */
  release(): Promise<void> {
    const pipeline = this.pipeline;
    if (!pipeline) return Promise.resolve();
    this.releasing ??= pipeline.stop().then(() => {
      this.commitProgress(pipeline);
      this.pipeline = this.owner = this.releasing = undefined;
      this.waker.wake();
    });
    return this.releasing;
  }

  private async run(): Promise<void> {
    let readFailures = 0;
    while (!this.context.isClosed()) {
      const owner = this.context.ownerOf(this.log);
      if (this.pipeline && this.owner !== owner) {
        await this.release();
        continue;
      }
      if (owner) {
        const pipeline = (this.pipeline ??= this.open(owner));
        this.commitProgress(pipeline);
        if (!this.refill(pipeline)) {
          await this.pause(retryDelayMs(++readFailures));
          continue;
        }
        readFailures = 0;
      }
      await this.waker.sleep();
    }
    await this.release();
  }

  private open(owner: Member): PartitionPipeline {
    this.owner = owner;
    this.committedOffset = this.context.committed() ?? this.log.startOffset;
    const { handle, maxBatch, maxInFlight } = owner;
    return new PartitionPipeline({ from: this.committedOffset, handle, maxBatch, maxInFlight, onChange: () => this.waker.wake() });
  }

  private commitProgress(pipeline: PartitionPipeline): void {
    if (pipeline.committable <= this.committedOffset) return;
    this.committedOffset = pipeline.committable;
    this.context.commit(this.committedOffset);
  }

  /** Reads what the partition has room for; false when the log could not be read (retried). */
  private refill(pipeline: PartitionPipeline): boolean {
    const room = pipeline.room;
    if (room === 0) return true;
    try {
      const earliest = this.log.startOffset;
      if (pipeline.next < earliest) {
        const { topic, partition } = this.log;
        this.context.onBehindRetention({ group: this.context.group, topic, partition, committed: pipeline.next, earliest });
        pipeline.skipTo(pipeline.next, earliest);
        this.commitProgress(pipeline);
      }
      pipeline.push(pipeline.next, this.log.read(pipeline.next, room));
      return true;
    } catch (error) {
      this.context.onReadError(error);
      return false;
    }
  }

  /** A retry backoff that only close() cuts short. */
  private async pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.context.isClosed() && Date.now() < until) await this.waker.sleep(until - Date.now());
  }
}
