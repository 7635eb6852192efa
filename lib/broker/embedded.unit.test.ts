import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { brokerContract } from "./broker.contract.ts";
import { waitFor } from "../testing/index.ts";
import { createEmbeddedBroker } from "./embedded.ts";
import { murmur2, partitionForKey } from "./partitioner.ts";

brokerContract("embedded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-broker-"));
  return {
    open: async () => createEmbeddedBroker({ dir, fsync: false }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
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
  appendFileSync(join(dir, "log", "t", "0.jsonl"), '{"k":"k","h":{},"v":"dHd');
  const reopened = createEmbeddedBroker({ dir });
  await reopened.publish([{ topic: "t", key: "k", value: new TextEncoder().encode("two"), headers: {} }]);
  const seen: string[] = [];
  await reopened.subscribe({ group: "g", topics: ["t"], handle: async (batch) => void seen.push(...batch.map((r) => new TextDecoder().decode(r.value))) });
  await waitFor(() => seen.length >= 2);
  expect(seen).toEqual(["one", "two"]);
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});
