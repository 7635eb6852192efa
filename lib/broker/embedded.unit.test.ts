import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { brokerContract } from "./broker.contract.ts";
import { createMemoryLogger } from "../log/index.ts";
import { waitFor } from "../testing/index.ts";
import { createEmbeddedBroker } from "./embedded.ts";
import { storedOffset } from "./embedded-offsets.ts";
import { murmur2, partitionForKey } from "./partitioner.ts";
import type { ConsumedRecord } from "./types.ts";

/** The messages of the lines a memory logger kept. */
const messagesOf = (log: ReturnType<typeof createMemoryLogger>) => log.lines().map((line) => (JSON.parse(line) as { msg: string }).msg);

brokerContract("embedded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  return {
    open: async () => createEmbeddedBroker({ dir, fsync: false }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    committed: async (group, topic, partition) => storedOffset(join(dir, "groups"), group, topic, partition),
  };
});

test("the partitioner is Kafka's murmur2 (cases from Kafka's UtilsTest.testMurmur2)", () => {
  const cases: Array<[string, number]> = [
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ];
  for (const [key, hash] of cases) {
    expect(murmur2(new TextEncoder().encode(key))).toBe(hash);
    expect(partitionForKey(key, 12)).toBe((hash & 0x7fffffff) % 12);
  }
});

test("a second process cannot open a folder in use", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  const broker = createEmbeddedBroker({ dir });
  const script = `import { createEmbeddedBroker } from ${JSON.stringify(join(import.meta.dir, "embedded.ts"))};
    try { createEmbeddedBroker({ dir: ${JSON.stringify(dir)} }); console.log("opened"); } catch (e) { console.log(e.code); }`;
  const other = Bun.spawnSync(["bun", "-e", script]);
  expect(other.stdout.toString().trim()).toBe("broker.locked");
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a torn last line (process killed mid-write) is cut off on reopen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  const broker = createEmbeddedBroker({ dir });
  await broker.ensureTopics([{ name: "t", partitions: 1 }]);
  await broker.publish([{ topic: "t", key: "k", value: new TextEncoder().encode("one"), headers: {} }]);
  await broker.close();
  appendFileSync(join(dir, "log", "t", "0", "00000000000000000000.jsonl"), '{"k":"k","h":{},"v":"dHd');
  const reported = createMemoryLogger();
  const reopened = createEmbeddedBroker({ dir, log: reported });
  expect(messagesOf(reported)).toEqual([expect.stringContaining("cut a record torn by a crash")]);
  await reopened.publish([{ topic: "t", key: "k", value: new TextEncoder().encode("two"), headers: {} }]);
  const seen: string[] = [];
  await reopened.subscribe({ group: "g", topics: ["t"], handle: async (batch) => void seen.push(...batch.map((r) => new TextDecoder().decode(r.value))) });
  await waitFor(() => seen.length >= 2);
  expect(seen).toEqual(["one", "two"]);
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a group behind the retention point is reported, listed, then moved to the earliest record kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  const reported = createMemoryLogger();
  const retentionOf = () => ({ bytes: 2000, ms: Infinity, segmentBytes: 500 });
  const broker = createEmbeddedBroker({ dir, fsync: false, retentionOf, log: reported });
  await broker.ensureTopics([{ name: "t", partitions: 1 }]);
  const publish = (from: number, count: number) =>
    broker.publish(Array.from({ length: count }, (_, i) => ({ topic: "t", key: "k", value: new TextEncoder().encode(`record ${from + i}`), headers: {} })));
  const seen: bigint[] = [];
  const handle = async (batch: ConsumedRecord[]) => void seen.push(...batch.map((r) => r.offset));
  await publish(0, 3);
  const early = await broker.subscribe({ group: "slow", topics: ["t"], handle });
  await waitFor(() => seen.length >= 3);
  await early.close();

  for (let from = 3; from < 203; from += 10) await publish(from, 10);
  const [lag] = broker.groupsBehindRetention();
  expect(lag).toMatchObject({ group: "slow", topic: "t", partition: 0, committed: 3n });
  expect(lag!.earliest).toBeGreaterThan(3n);
  expect(messagesOf(reported).some((m) => m.includes('consumer group "slow" is behind the retention point of t/0: offsets 3..'))).toBe(true);

  seen.length = 0;
  await broker.subscribe({ group: "slow", topics: ["t"], handle });
  await waitFor(() => seen.at(-1) === 202n);
  expect(seen[0]).toBe(lag!.earliest);
  expect(messagesOf(reported).at(-1)).toContain(`it moves on to ${lag!.earliest}, now`);
  expect(broker.groupsBehindRetention()).toEqual([]);
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test("kill -9 of the process holding the folder: a broker opens it again at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  const script = `import { createEmbeddedBroker } from ${JSON.stringify(join(import.meta.dir, "embedded.ts"))};
    createEmbeddedBroker({ dir: ${JSON.stringify(dir)} }); console.log("open"); setInterval(() => {}, 1000);`;
  const holder = Bun.spawn(["bun", "-e", script], { stdout: "pipe" });
  const reader = holder.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain("open");
  expect(() => createEmbeddedBroker({ dir })).toThrow("in use by process");
  holder.kill(9);
  await holder.exited;
  await createEmbeddedBroker({ dir }).close();
  rmSync(dir, { recursive: true, force: true });
});

test("an unreadable topics.json is refused with a clear error, and the folder is left unlocked", () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  writeFileSync(join(dir, "topics.json"), '{"t": 1');
  expect(() => createEmbeddedBroker({ dir })).toThrow("topics.json is unreadable");
  writeFileSync(join(dir, "topics.json"), '{"t": 1}');
  return createEmbeddedBroker({ dir })
    .close()
    .then(() => rmSync(dir, { recursive: true, force: true }));
});

test("readAll reads from the earliest record kept to the end at the call; what is published after it is left out", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  const retentionOf = () => ({ bytes: 2000, ms: Infinity, segmentBytes: 500 });
  const broker = createEmbeddedBroker({ dir, fsync: false, retentionOf });
  await broker.ensureTopics([{ name: "t", partitions: 1 }]);
  const publish = (from: number, count: number) =>
    broker.publish(Array.from({ length: count }, (_, i) => ({ topic: "t", key: "k", value: new TextEncoder().encode(`record ${from + i}`), headers: {} })));
  for (let from = 0; from < 200; from += 10) await publish(from, 10);
  const reading = broker.readAll("t");
  await publish(200, 5);
  const offsets = (await reading).map((r) => r.offset);
  expect(offsets[0]).toBeGreaterThan(0n);
  expect(offsets).toEqual(offsets.map((_, i) => offsets[0]! + BigInt(i)));
  expect(offsets.at(-1)).toBe(199n);
  expect((await broker.readAll("t")).at(-1)?.offset).toBe(204n);
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a topic kept forever is never cut by retention, also in a folder written before it said so", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  const small = { bytes: 2000, ms: Infinity, segmentBytes: 500 };
  const retentionOf = (topic: { keep?: "forever" }) => (topic.keep === "forever" ? { ...small, bytes: Infinity } : small);
  const fill = async (broker: ReturnType<typeof createEmbeddedBroker>, topic: string) => {
    for (let from = 0; from < 200; from += 10) {
      await broker.publish(Array.from({ length: 10 }, (_, i) => ({ topic, key: "k", value: new TextEncoder().encode(`record ${from + i}`), headers: {} })));
    }
  };
  // An older folder: topics.json knew partition counts only.
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "topics.json"), JSON.stringify({ "dead-letters": 1 }));
  let broker = createEmbeddedBroker({ dir, fsync: false, retentionOf });
  await broker.ensureTopics([{ name: "dead-letters", partitions: 1, keep: "forever" }, { name: "events", partitions: 1 }]);
  await fill(broker, "dead-letters");
  await fill(broker, "events");
  expect((await broker.readAll("dead-letters"))[0]?.offset).toBe(0n);
  expect((await broker.readAll("events"))[0]?.offset).toBeGreaterThan(0n);
  await broker.close();
  expect(JSON.parse(readFileSync(join(dir, "topics.json"), "utf8"))).toEqual({ "dead-letters": { partitions: 1, keep: "forever" }, events: 1 });
  // Reopened, it still knows, before anyone calls ensureTopics.
  broker = createEmbeddedBroker({ dir, fsync: false, retentionOf });
  await fill(broker, "dead-letters");
  expect(await broker.readAll("dead-letters")).toHaveLength(400);
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});
