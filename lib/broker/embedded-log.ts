import { closeSync, existsSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { ConsumedRecord, ProducedRecord } from "./types.ts";

/**
 * One partition of the embedded broker: an append-only JSON-lines file, mirrored in memory.
 * A line is written whole with one write(2); a torn last line (the process died mid-write) is cut
 * off when the file is opened again, so a restart sees exactly the records that were stored.
 */
type StoredLine = { k: string; h: Record<string, string>; v: string };

export class PartitionLog {
  readonly records: ConsumedRecord[] = [];
  private readonly fd: number;

  constructor(
    dir: string,
    readonly topic: string,
    readonly partition: number,
    private readonly fsync: boolean,
  ) {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${partition}.jsonl`);
    const validBytes = existsSync(path) ? this.load(readFileSync(path)) : 0;
    this.fd = openSync(path, "a+");
    ftruncateSync(this.fd, validBytes);
  }

  get nextOffset(): bigint {
    return BigInt(this.records.length);
  }

  append(batch: ProducedRecord[]): void {
    const lines = batch.map((r) => {
      const line: StoredLine = { k: r.key, h: r.headers, v: Buffer.from(r.value).toString("base64") };
      return `${JSON.stringify(line)}\n`;
    });
    writeSync(this.fd, lines.join(""));
    if (this.fsync) fdatasyncSync(this.fd);
    for (const r of batch) this.records.push({ ...r, partition: this.partition, offset: this.nextOffset });
  }

  read(from: bigint, max: number): ConsumedRecord[] {
    return this.records.slice(Number(from), Number(from) + max);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Loads whole lines and returns how many bytes of the file they cover. */
  private load(content: Buffer): number {
    let start = 0;
    for (;;) {
      const end = content.indexOf(10, start);
      if (end < 0) return start;
      try {
        const line = JSON.parse(content.subarray(start, end).toString("utf8")) as StoredLine;
        this.records.push({
          topic: this.topic,
          partition: this.partition,
          offset: this.nextOffset,
          key: line.k,
          headers: line.h,
          value: new Uint8Array(Buffer.from(line.v, "base64")),
        });
      } catch {
        return start;
      }
      start = end + 1;
    }
  }
}
