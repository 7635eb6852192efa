import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { createMemoryLogger } from "../log/index.ts";
import { PartitionLog, type PartitionLogOptions } from "./embedded-log.ts";
import { defaultRetentionOf, type RetentionPolicy } from "./embedded-retention.ts";
import type { ConsumedRecord, ProducedRecord } from "./types.ts";

const folders: string[] = [];
const opened: PartitionLog[] = [];
afterEach(() => {
  for (const log of opened.splice(0)) log.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}, 60_000);

const day = 24 * 3600 * 1000;
const unlimited: RetentionPolicy = { bytes: Infinity, ms: Infinity, segmentBytes: Infinity };

function harness(retention: Partial<RetentionPolicy> = {}) {
  const topicDir = mkdtempSync(join(tmpdir(), "orderflow-log-"));
  folders.push(topicDir);
  const clock = { now: Date.now() };
  const messages = createMemoryLogger();
  const options: PartitionLogOptions = { sync: false, retention: { ...unlimited, ...retention }, now: () => clock.now, log: messages };
  const open = () => {
    const log = new PartitionLog(topicDir, "t", 0, options);
    opened.push(log);
    return log;
  };
  return { topicDir, dir: join(topicDir, "0"), clock, messages, open };
}

const record = (n: number): ProducedRecord => ({ topic: "t", key: `k${n % 3}`, value: new TextEncoder().encode(`value ${n} ${"x".repeat(n % 40)}`), headers: { n: String(n) } });
const numbers = (records: ConsumedRecord[]) => records.map((r) => Number(r.headers.n));
const offsets = (records: ConsumedRecord[]) => records.map((r) => Number(r.offset));
function appendRange(log: PartitionLog, from: number, to: number, batch = 7) {
  for (let n = from; n < to; n += batch) log.append(Array.from({ length: Math.min(batch, to - n) }, (_, i) => record(n + i)));
}

test("records are read back from the segment files, from any offset, across segments and a reopen", () => {
  const { dir, open } = harness({ segmentBytes: 500 });
  const log = open();
  appendRange(log, 0, 60);
  expect(readdirSync(dir).length).toBeGreaterThan(3);
  const readsBack = (reader: PartitionLog) => {
    expect(reader.nextOffset).toBe(60n);
    expect(numbers(reader.read(0n, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(offsets(reader.read(17n, 30))).toEqual(Array.from({ length: 30 }, (_, i) => 17 + i));
    expect(numbers(reader.read(58n, 10))).toEqual([58, 59]);
    expect(reader.read(60n, 10)).toEqual([]);
  };
  readsBack(log);
  log.close();
  readsBack(open());
  const [first] = open().read(1n, 1);
  expect(first).toMatchObject({ topic: "t", partition: 0, offset: 1n, key: "k1", headers: { n: "1" } });
  expect(new TextDecoder().decode(first?.value)).toBe("value 1 x");
});

test("a segment of thousands of records is read through its sparse index, exactly from the offset asked", () => {
  const { open } = harness();
  const log = open();
  appendRange(log, 0, 3000, 100);
  for (const from of [0, 1, 999, 1500, 2999]) expect(offsets(log.read(BigInt(from), 3))).toEqual([from, from + 1, from + 2].filter((o) => o < 3000));
});

test("retention by size deletes the oldest segments, never the last; offsets go on after a reopen", () => {
  const { open } = harness({ bytes: 1500, segmentBytes: 500 });
  const log = open();
  appendRange(log, 0, 200);
  log.enforceRetention();
  expect(log.sizeBytes).toBeLessThanOrEqual(1500);
  expect(log.startOffset).toBeGreaterThan(0n);
  expect(offsets(log.read(log.startOffset, 1))).toEqual([Number(log.startOffset)]);
  log.close();
  const reopened = open();
  expect(reopened.nextOffset).toBe(200n);
  reopened.append([record(200)]);
  expect(offsets(reopened.read(200n, 5))).toEqual([200]);
});

test("retention by age deletes segments whose newest record is too old, the last one included, after rolling it", () => {
  const { clock, open } = harness({ ms: 7 * day, segmentBytes: 1 }); // one segment per batch
  const log = open();
  appendRange(log, 0, 30, 10);
  clock.now += 3 * day;
  appendRange(log, 30, 40, 10);
  clock.now += 5 * day;
  expect(log.enforceRetention()).toBe(3);
  expect(numbers(log.read(0n, 100))).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
  clock.now += 8 * day;
  expect(log.enforceRetention()).toBe(1);
  expect([log.startOffset, log.nextOffset]).toEqual([40n, 40n]);
  expect(log.read(0n, 10)).toEqual([]);
  log.append([record(40)]);
  expect(offsets(log.read(0n, 10))).toEqual([40]);
});

test("a topic kept forever (dead-letters, until redriven) has no retention by age or size; others the default", () => {
  expect(defaultRetentionOf({ keep: "forever" })).toMatchObject({ bytes: Infinity, ms: Infinity });
  expect(defaultRetentionOf({})).toMatchObject({ bytes: 1024 ** 3, ms: 7 * day });
});

test("a record torn by a crash mid-write is cut off on reopen, reported, and the next append takes its offset", () => {
  const { dir, messages, open } = harness();
  const log = open();
  log.append([record(0), record(1)]);
  log.close();
  appendFileSync(join(dir, "00000000000000000000.jsonl"), '{"k":"k2","h":{},"v":"dHd');
  const reopened = open();
  expect(messages.lines().map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 40, bytes: 25, msg: expect.stringContaining("cut a record torn by a crash") })]);
  reopened.append([record(2)]);
  expect(offsets(reopened.read(0n, 10))).toEqual([0, 1, 2]);
});

test("a partition log from before segments (one file) becomes the first segment", () => {
  const { topicDir, dir, open } = harness();
  mkdirSync(topicDir, { recursive: true });
  writeFileSync(join(topicDir, "0.jsonl"), `${JSON.stringify({ k: "k", h: { n: "0" }, v: "b25l" })}\n`);
  const log = open();
  expect(readdirSync(dir)).toEqual(["00000000000000000000.jsonl"]);
  log.append([record(1)]);
  expect(numbers(log.read(0n, 10))).toEqual([0, 1]);
});
