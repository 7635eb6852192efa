import { closeSync, fdatasyncSync, ftruncateSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors/index.ts";
import { cutTornTail, scanLines, syncDirectory, type TornTail, writeAll } from "../fs/index.ts";
import { SegmentIndex } from "./embedded-segment-index.ts";
import type { ConsumedRecord } from "./types.ts";

/** One stored record: key, headers, value in base64, and when it was appended (ms). */
export type StoredLine = { k: string; h: Record<string, string>; v: string; t?: number };

const fileNamePattern = /^(\d{20})\.jsonl$/;

/**
 * A file of the partition log holding the records from offset `base` on, one JSON line each,
 * named by that offset (as Kafka names its segments). Only the last segment of a partition is
 * appended to; the others are read on demand through a sparse index of offset → byte position,
 * built when the segment is first read, so the log is never held in memory.
 */
export class Segment {
  readonly path: string;
  size: number;
  lastWriteMs: number;
  private index: SegmentIndex | undefined;
  private fd: number | undefined;

  constructor(dir: string, readonly base: bigint) {
    this.path = join(dir, `${base.toString().padStart(20, "0")}.jsonl`);
    const stat = statSync(this.path, { throwIfNoEntry: false });
    this.size = stat?.size ?? 0;
    this.lastWriteMs = stat?.mtimeMs ?? Date.now();
  }

  /** The segments in `dir`, oldest first. */
  static list(dir: string): Segment[] {
    const bases = readdirSync(dir).flatMap((name) => fileNamePattern.exec(name)?.[1] ?? []).map(BigInt);
    return bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((base) => new Segment(dir, base));
  }

  /** A new, empty last segment; its name is made durable before anything is acknowledged in it. */
  static create(dir: string, base: bigint, sync: boolean, now: number): Segment {
    const segment = new Segment(dir, base);
    segment.fd = openSync(segment.path, "a+");
    if (sync) syncDirectory(dir);
    segment.index = new SegmentIndex();
    segment.lastWriteMs = now;
    return segment;
  }

  /** Opens the last segment for appending, after cutting off a record torn by a crash mid-write. */
  openForAppend(sync: boolean): TornTail | undefined {
    const index = new SegmentIndex();
    const { size, torn } = cutTornTail(this.path, (line, position) => isRecordLine(line) && (index.add(position), true), sync);
    [this.size, this.index] = [size, index];
    this.fd = openSync(this.path, "a+");
    return torn;
  }

  get end(): bigint {
    return this.base + BigInt(this.indexed().count);
  }

  /** Appends whole lines; a failed write is undone so that no partial record stays in the file. */
  append(lines: Buffer[], now: number, sync: boolean): void {
    if (this.fd === undefined) throw new AppError("broker.sealed_segment", `${this.path} is sealed`);
    const start = this.size;
    try {
      writeAll(this.fd, Buffer.concat(lines));
      if (sync) fdatasyncSync(this.fd);
    } catch (error) {
      ftruncateSync(this.fd, start);
      throw error;
    }
    const index = this.indexed();
    let position = start;
    for (const line of lines) {
      index.add(position);
      position += line.length;
    }
    this.size = position;
    this.lastWriteMs = now;
  }

  /** Up to `max` records from offset `from` on (from the first one when `from` is before it). */
  read(from: bigint, max: number, topic: string, partition: number): ConsumedRecord[] {
    const index = this.indexed();
    const count = index.count;
    const target = Math.max(0, Number(from - this.base));
    if (target >= count) return [];
    const entry = index.entryAtOrBefore(target);
    let relative = entry.relative;
    const records: ConsumedRecord[] = [];
    this.withReadFd((fd) =>
      scanLines(fd, entry.position, (line) => {
        if (records.length >= max || relative >= count) return false;
        if (relative >= target) records.push(this.decode(line, relative, topic, partition));
        relative++;
      }),
    );
    return records;
  }

  /**
   * The offset of the first record appended at or after `ms`, undefined when none was. Lines
   * written before records carried their append time have none and count as older than any time.
   */
  firstOffsetAppendedFrom(ms: number): bigint | undefined {
    const count = this.indexed().count;
    let relative = 0;
    let found: number | undefined;
    this.withReadFd((fd) =>
      scanLines(fd, 0, (line) => {
        if (relative >= count) return false;
        const { t } = JSON.parse(line.toString("utf8")) as StoredLine;
        if (t !== undefined && t >= ms) {
          found = relative;
          return false;
        }
        relative++;
      }),
    );
    return found === undefined ? undefined : this.base + BigInt(found);
  }

  /** Sealed: no more appends; the descriptor is closed. */
  seal(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  delete(): void {
    this.seal();
    rmSync(this.path, { force: true });
  }

  /** The index; a sealed segment read for the first time is scanned once to build it. */
  private indexed(): SegmentIndex {
    if (this.index) return this.index;
    const index = new SegmentIndex();
    this.withReadFd((fd) => scanLines(fd, 0, (line, position) => void index.add(position)));
    this.index = index;
    return index;
  }

  private withReadFd<T>(work: (fd: number) => T): T {
    if (this.fd !== undefined) return work(this.fd);
    const fd = openSync(this.path, "r");
    try {
      return work(fd);
    } finally {
      closeSync(fd);
    }
  }

  private decode(line: Buffer, relative: number, topic: string, partition: number): ConsumedRecord {
    const offset = this.base + BigInt(relative);
    let stored: StoredLine;
    try {
      stored = JSON.parse(line.toString("utf8")) as StoredLine;
    } catch (error) {
      throw new AppError("broker.damaged_log", `${this.path}: the record at offset ${offset} is unreadable`, { cause: error });
    }
    return { topic, partition, offset, key: stored.k, headers: stored.h, value: new Uint8Array(Buffer.from(stored.v, "base64")) };
  }
}

function isRecordLine(line: Buffer): boolean {
  try {
    const stored = JSON.parse(line.toString("utf8")) as Partial<StoredLine>;
    return typeof stored.k === "string" && typeof stored.v === "string";
  } catch {
    return false;
  }
}
