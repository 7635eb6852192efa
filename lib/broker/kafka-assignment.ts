import { type PartitionBatch, partitionKey, type Position } from "./kafka-fetch.ts";
import { PartitionPipeline, type PipelineOptions } from "./partition-pipeline.ts";
import { settleWithin } from "./waiting.ts";

export type CommitOffsets = (offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }>) => Promise<void>;

/** A position to fetch from; `from` keeps where it was, should the fetch move it. */
export type FetchPosition = Position & { readonly from: bigint };

type Owned = { topic: string; partition: number; pipeline: PartitionPipeline; committed: bigint };

/**
 * The partitions one member owns in one generation of its group, each with its pipeline
 * (partition-pipeline.ts), and what was committed of each. The fetch loop asks it which partitions
 * have room, gives it what a fetch brought and commits its progress; it never waits for handlers,
 * except when the partitions are revoked.
 */
export class KafkaAssignment {
  private readonly owned = new Map<string, Owned>();

  constructor(
    readonly generation: number,
    positions: Map<string, Position>,
    settings: Omit<PipelineOptions, "from">,
  ) {
    for (const [key, { topic, partition, offset }] of positions) {
      this.owned.set(key, { topic, partition, committed: offset, pipeline: new PartitionPipeline({ ...settings, from: offset }) });
    }
  }

  /** Where to fetch the partitions that have room, except `held` ones (an earlier owner's batches still run). */
  fetchable(held: ReadonlySet<string>): FetchPosition[] {
    const ready: FetchPosition[] = [];
    for (const [key, { topic, partition, pipeline }] of this.owned) {
      if (pipeline.room > 0 && !held.has(key)) ready.push({ topic, partition, offset: pipeline.next, from: pipeline.next });
    }
    return ready;
  }

  /**
   * Hands what one fetch brought to the pipelines. `positions` are those the fetch was asked for:
   * one that fell out of the log was moved (kafka-fetch.ts) and came back without records.
   */
  accept(positions: FetchPosition[], batches: PartitionBatch[]): void {
    const fetched = new Map<Position, PartitionBatch>(batches.map((b) => [b.position, b]));
    for (const position of positions) {
      const { pipeline } = this.owned.get(partitionKey(position.topic, position.partition)) ?? {};
      const batch = fetched.get(position);
      if (batch) pipeline?.push(position.from, batch.records, batch.next);
      else if (position.offset !== position.from) pipeline?.skipTo(position.from, position.offset);
    }
  }

  /** Commits every partition whose finished prefix moved since its last commit. */
  async commit(commitOffsets: CommitOffsets): Promise<void> {
    const moved = [...this.owned.values()]
      .map((owned) => ({ owned, offset: owned.pipeline.committable }))
      .filter(({ owned, offset }) => offset > owned.committed);
    if (moved.length === 0) return;
    await commitOffsets(moved.map(({ owned, offset }) => ({ topic: owned.topic, partition: owned.partition, offset, leaderEpoch: -1 })));
    for (const { owned, offset } of moved) if (offset > owned.committed) owned.committed = offset;
  }

  /**
   * Aborts the batches in flight of every partition and waits up to `waitMs` for them to settle;
   * nothing is handed over or fetched any more. Returns the partitions whose batches still run, and
   * when they end. Commit afterwards: what finished, the next owner does not repeat.
   */
  async stop(waitMs: number): Promise<Map<string, Promise<void>>> {
    const settling = new Map([...this.owned].map(([key, { pipeline }]) => [key, pipeline.stop()]));
    await settleWithin(Promise.all(settling.values()), waitMs);
    return new Map([...settling].filter(([key]) => this.owned.get(key)?.pipeline.busy));
  }
}
