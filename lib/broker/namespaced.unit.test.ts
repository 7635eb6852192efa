import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { waitFor } from "../testing/index.ts";
import { brokerContract } from "./broker.contract.ts";
import { createEmbeddedBroker } from "./embedded.ts";
import { storedOffset } from "./embedded-offsets.ts";
import { withNamespace } from "./namespaced.ts";
import type { ConsumedRecord } from "./types.ts";

brokerContract("embedded, namespaced", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-ns-"));
  return {
    open: async () => withNamespace(createEmbeddedBroker({ dir, fsync: false }), "run-1"),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    committed: async (group, topic, partition) => storedOffset(join(dir, "groups"), `run-1.${group}`, `run-1.${topic}`, partition),
  };
});

test("two namespaces on one broker do not see each other's records", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-ns-"));
  const broker = createEmbeddedBroker({ dir, fsync: false });
  const [a, b] = [withNamespace(broker, "a"), withNamespace(broker, "b")];
  for (const ns of [a, b]) await ns.ensureTopics([{ name: "orders", partitions: 1 }]);
  await a.publish([{ topic: "orders", key: "k", value: new TextEncoder().encode("for a"), headers: {} }]);
  await b.publish([{ topic: "orders", key: "k", value: new TextEncoder().encode("for b"), headers: {} }]);
  const seen: ConsumedRecord[] = [];
  await b.subscribe({ group: "g", topics: ["orders"], handle: async (records) => void seen.push(...records) });
  await waitFor(() => seen.length >= 1);
  await a.publish([{ topic: "orders", key: "k", value: new TextEncoder().encode("for a again"), headers: {} }]);
  await b.publish([{ topic: "orders", key: "k", value: new TextEncoder().encode("for b again"), headers: {} }]);
  await waitFor(() => seen.length >= 2);
  expect(seen.map((r) => [r.topic, new TextDecoder().decode(r.value)])).toEqual([
    ["orders", "for b"],
    ["orders", "for b again"],
  ]);
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a namespace Kafka could not use as a topic prefix is refused at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-ns-"));
  const broker = createEmbeddedBroker({ dir, fsync: false });
  expect(() => withNamespace(broker, "no spaces/allowed")).toThrow("namespace");
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});
