import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { createEmbeddedBroker, type ConsumedRecord } from "../../lib/broker/index.ts";
import { allTopics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { waitFor } from "../../lib/testing/index.ts";
import { subscriptions } from "../roster.ts";
import { dispatcherGroup, replaySubscription } from "./replay-subscription.ts";

const dir = mkdtempSync(join(tmpdir(), "orderflow-replay-sub-"));
const broker = createEmbeddedBroker({ dir, fsync: false, log: createMemoryLogger() });
const payment = subscriptions.find((s) => s.service === "payment")!;
const topic = payment.topics[0]!;

afterEach(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function consumeAll(into: ConsumedRecord[], count: number) {
  const sub = await broker.subscribe({ group: dispatcherGroup("payment"), topics: payment.topics, handle: async (batch) => void into.push(...batch) });
  await waitFor(() => into.length >= count, { what: `${count} records` });
  return sub;
}

test("replays a roster service's subscription from the earliest record; refuses while it runs and for unknown services", async () => {
  await broker.ensureTopics(allTopics);
  await broker.publish([1, 2, 3].map((n) => ({ topic, key: `k${n}`, value: new Uint8Array([n]), headers: {} })));
  const first: ConsumedRecord[] = [];
  const running = await consumeAll(first, 3);
  await expect(replaySubscription(broker, "payment", { earliest: true })).rejects.toMatchObject({ code: "broker.group_active" });
  await running.close();

  expect(await replaySubscription(broker, "payment", { earliest: true })).toEqual({ group: "dispatcher.payment", topics: payment.topics });
  const again: ConsumedRecord[] = [];
  await (await consumeAll(again, 3)).close();
  expect(again.map((r) => r.offset).sort()).toEqual(first.map((r) => r.offset).sort());

  await expect(replaySubscription(broker, "billing", { earliest: true })).rejects.toMatchObject({ code: "replay.unknown_subscription", status: 422 });
  await expect(replaySubscription(broker, "", { earliest: true })).rejects.toMatchObject({ status: 422 });
});
