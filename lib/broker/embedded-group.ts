import type { PartitionLog } from "./embedded-log.ts";
import { type CommittedOffsets, offsetKey, offsetsFile, readOffsets, writeOffsets } from "./embedded-offsets.ts";
import type { RetentionLag } from "./embedded-retention.ts";
import type { BatchHandler, ConsumedRecord } from "./types.ts";

type Member = { id: number; topics: Set<string>; handle: BatchHandler; maxBatch: number; inFlight: Set<Promise<void>> };

const retryDelayMs = (attempt: number) => Math.min(5_000, 50 * 2 ** attempt);

/**
 * A consumer group of the embedded broker. One delivery loop per partition belongs to the GROUP,
 * not to a member, so a partition is never handed to two members at once, even mid-rebalance; each
 * round it delivers to the partition's current owner. Offsets are committed after the handler
 * resolved, and written to disk by rename so that a crash leaves the old or the new file, never half.
 * A committed offset that retention has deleted the records after is reported, then moved to the
 * earliest record kept: never skipped silently.
 */
export class ConsumerGroup {
  private readonly members: Member[] = [];
  private readonly offsets: CommittedOffsets;
  private readonly file: string;
  private readonly loops = new Map<string, Promise<void>>();
  private readonly waiters = new Set<() => void>();
  private nextMemberId = 1;
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

  join(topics: string[], handle: BatchHandler, maxBatch: number): () => Promise<void> {
    const member: Member = { id: this.nextMemberId++, topics: new Set(topics), handle, maxBatch, inFlight: new Set() };
    this.members.push(member);
    for (const topic of topics) for (const log of this.partitionsOf(topic)) this.startLoop(log);
    this.wake();
    return async () => {
      this.members.splice(this.members.indexOf(member), 1);
      this.wake();
      await Promise.all(member.inFlight);
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
    for (const resolve of [...this.waiters]) resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await Promise.all(this.loops.values());
  }

  private startLoop(log: PartitionLog): void {
    const key = offsetKey(log.topic, log.partition);
    if (!this.loops.has(key)) this.loops.set(key, this.run(log, key));
  }

  /** Round-robin over the members subscribed to the topic, in join order: deterministic ownership. */
  private ownerOf(log: PartitionLog): Member | undefined {
    const candidates = this.members.filter((m) => m.topics.has(log.topic));
    return candidates.length === 0 ? undefined : candidates[log.partition % candidates.length];
  }

  private async run(log: PartitionLog, key: string): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      const owner = this.ownerOf(log);
      const batch = owner ? this.nextBatch(log, key, owner.maxBatch) : [];
      if (!owner || batch === undefined || batch.length === 0) {
        await this.sleep(batch === undefined ? retryDelayMs(attempt++) : undefined);
        continue;
      }
      const delivery = Promise.resolve().then(() => owner.handle(batch));
      const settled = delivery.catch(() => {});
      owner.inFlight.add(settled);
      try {
        await delivery;
        attempt = 0;
        this.commit(key, (batch.at(-1) as ConsumedRecord).offset + 1n);
      } catch {
        await this.sleep(retryDelayMs(attempt++));
      } finally {
        owner.inFlight.delete(settled);
      }
    }
  }

  /** The records after the committed offset; undefined when the log could not be read (retried). */
  private nextBatch(log: PartitionLog, key: string, max: number): ConsumedRecord[] | undefined {
    try {
      const committed = this.offsets[key] === undefined ? undefined : BigInt(this.offsets[key]);
      const earliest = log.startOffset;
      if (committed !== undefined && committed < earliest) {
        this.options.onBehindRetention({ group: this.name, topic: log.topic, partition: log.partition, committed, earliest });
        this.commit(key, earliest);
      }
      return log.read(committed === undefined || committed < earliest ? earliest : committed, max);
    } catch (error) {
      this.options.onReadError(error);
      return undefined;
    }
  }

  private commit(key: string, offset: bigint): void {
    this.offsets[key] = offset.toString();
    writeOffsets(this.file, this.offsets, this.options.sync);
  }

  /** Waits for a wake-up; with `ms`, a retry backoff that only close() cuts short. */
  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
      };
      const waiter = () => (ms === undefined || this.closed ? finish() : undefined);
      this.waiters.add(waiter);
      if (ms !== undefined) timer = setTimeout(finish, ms);
      if (this.closed) finish();
    });
  }
}
