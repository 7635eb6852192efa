import { expect, test } from "bun:test";
import { topicConfigs } from "./kafka.ts";

const day = String(24 * 3600 * 1000);

test("an event topic keeps 7 days unless told; min.insync.replicas follows the replication factor up to 2", () => {
  expect(topicConfigs({}, {})).toEqual([{ name: "retention.ms", value: String(7 * Number(day)) }]);
  expect(topicConfigs({}, { retentionMs: Number(day), replicationFactor: 3 })).toEqual([
    { name: "retention.ms", value: day },
    { name: "min.insync.replicas", value: "2" },
  ]);
  expect(topicConfigs({}, { replicationFactor: 1 })).toContainEqual({ name: "min.insync.replicas", value: "1" });
  expect(topicConfigs({}, { replicationFactor: 3, minInsyncReplicas: 3 })).toContainEqual({ name: "min.insync.replicas", value: "3" });
});

test("a topic kept forever (dead-letters, until redriven) has no retention, whatever the retention asked", () => {
  expect(topicConfigs({ keep: "forever" }, { retentionMs: 1000 })).toEqual([
    { name: "retention.ms", value: "-1" },
    { name: "retention.bytes", value: "-1" },
  ]);
});
