import { existsSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeDirectoryDurably, syncDirectory } from "../fs/index.ts";
import type { Logger } from "../log/index.ts";
import { Segment, type StoredLine } from "./embedded-segment.ts";
import type { RetentionPolicy } from "./embedded-retention.ts";
import type { ConsumedRecord, ProducedRecord, ResetPoint } from "./types.ts";

export type PartitionLogOptions = {
  /** fdatasync each appended batch (and sync the directory of each new segment). */
  sync: boolean;
  retention: RetentionPolicy;
  now: () => number;
  log: Logger;
};

/**
 * One partition of the embedded broker: a folder of segment files (see embedded-segment.ts), the
 * last one appended to. A batch is written with one write loop and one fdatasync, so a publish
 * costs one disk flush however many records it carries. A record torn by a crash mid-write is cut
 * off when the partition is opened again, so a restart sees exactly the records that were stored.
 * Retention deletes whole segments from the oldest on; offsets never restart.
 */
export class PartitionLog {
  private readonly dir: string;
  private readonly segments: Segment[];

  constructor(
    topicDir: string,
    readonly topic: string,
    readonly partition: number,
    private readonly options: PartitionLogOptions,
  ) {
    this.dir = join(topicDir, String(partition));
    makeDirectoryDurably(this.dir, options.sync);
    this.adoptSingleFileLog(join(topicDir, `${partition}.jsonl`));
    this.segments = Segment.list(this.dir);
    const last = this.segments.at(-1);
    if (!last) this.segments.push(Segment.create(this.dir, 0n, options.sync, options.now()));
    const torn = last?.openForAppend(options.sync);
    if (torn) options.log.warn({ bytes: torn.bytes, path: torn.path }, "embedded broker: cut a record torn by a crash off the end of its segment");
  }

  /** A topic's retention changed (ensureTopics on a folder written before the topic said "keep forever"). */
  setRetention(retention: RetentionPolicy): void {
    this.options.retention = retention;
  }

  /** The earliest offset still stored: records before it were deleted by retention. */
  get startOffset(): bigint {
    return this.segments[0]!.base;
  }

  get nextOffset(): bigint {
    return this.active.end;
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.size, 0);
  }

  append(batch: ProducedRecord[]): void {
    const now = this.options.now();
    const lines = batch.map((r) => {
      const line: StoredLine = { k: r.key, h: r.headers, v: Buffer.from(r.value).toString("base64"), t: now };
      return Buffer.from(`${JSON.stringify(line)}\n`);
    });
    const bytes = lines.reduce((sum, line) => sum + line.length, 0);
    if (this.active.size > 0 && this.active.size + bytes > this.options.retention.segmentBytes) this.roll(now);
    this.active.append(lines, now, this.options.sync);
  }

  /** Up to `max` records from offset `from` on, read from the segment files. */
  read(from: bigint, max: number): ConsumedRecord[] {
    const records: ConsumedRecord[] = [];
    for (let i = this.segmentIndexOf(from); i < this.segments.length && records.length < max; i++) {
      records.push(...this.segments[i]!.read(from, max - records.length, this.topic, this.partition));
    }
    return records;
  }

  /** The offset a group reset to `to` reads next (see ResetPoint). */
  offsetAt(to: ResetPoint): bigint {
    if ("earliest" in to) return this.startOffset;
    if ("offset" in to) return to.offset < this.startOffset ? this.startOffset : to.offset > this.nextOffset ? this.nextOffset : to.offset;
    const ms = to.time.getTime();
    // A segment last written before the time holds no record from it on: skip it unread.
    for (const segment of this.segments) {
      if (segment.lastWriteMs < ms) continue;
      const found = segment.firstOffsetAppendedFrom(ms);
      if (found !== undefined) return found;
    }
    return this.nextOffset;
  }

  /**
   * Deletes the oldest segments while the partition is over its size, or while their newest
   * record is older than the age limit; the last segment is rolled first once it is that old, so
   * that it can go too. Returns how many segments were deleted.
   */
  enforceRetention(): number {
    const { bytes, ms } = this.options.retention;
    const now = this.options.now();
    if (this.active.size > 0 && now - this.active.lastWriteMs > ms) this.roll(now);
    let deleted = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      if (this.sizeBytes <= bytes && now - oldest.lastWriteMs <= ms) break;
      oldest.delete();
      this.segments.shift();
      deleted++;
    }
    if (deleted > 0 && this.options.sync) syncDirectory(this.dir);
    return deleted;
  }

  close(): void {
    for (const segment of this.segments) segment.seal();
  }

  private get active(): Segment {
    return this.segments.at(-1)!;
  }

  private roll(now: number): void {
    const next = this.nextOffset;
    this.active.seal();
    this.segments.push(Segment.create(this.dir, next, this.options.sync, now));
  }

  /** The segment holding `from`: the last one starting at or before it (the first, before retention's start). */
  private segmentIndexOf(from: bigint): number {
    let index = 0;
    while (index + 1 < this.segments.length && this.segments[index + 1]!.base <= from) index++;
    return index;
  }

  /** Logs written before segments were one file per partition: that file becomes the first segment. */
  private adoptSingleFileLog(file: string): void {
    if (!existsSync(file) || Segment.list(this.dir).length > 0) return;
    renameSync(file, new Segment(this.dir, 0n).path);
    if (this.options.sync) for (const dir of [this.dir, dirname(file)]) syncDirectory(dir);
  }
}
