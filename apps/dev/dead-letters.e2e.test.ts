import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { deadLetterOfEvent, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { eventFor, testSecurityEnv, waitFor } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "./compose.ts";
import { flowClient } from "./flow-client.ts";

/**
 * Dead letters through the whole flow: an event every subscriber refuses is dead-lettered at once
 * and listed for staff; an event given up on while its cause lasted is redriven by order once the
 * cause is gone, and handled once however often staff redrive it.
 */
let flow: Flow;
let dataDir: string;
const client = flowClient(() => flow);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "orderflow-dead-letters-"));
  flow = await composeFlow({ dataDir, log: createMemoryLogger(), retryBaseDelayMs: 10, env: { ...testSecurityEnv } });
  await flow.start();
}, 60_000);
afterAll(async () => {
  await flow?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const list = async (query = "", caller?: Record<string, string>) => client.call(`/admin/dead-letters${query}`, { headers: caller ?? (await client.staff()) });
const redriveOrder = async (orderId: string) => (await client.send("POST", "/admin/dead-letters/redrive", { orderId }, await client.staff())).json();
/** Staff see the order's charges; an order payment never saw has none (404). */
const chargesOf = async (orderId: string) => ((await client.read(`/gateway/charges?orderId=${orderId}`)).charges ?? []) as unknown[];

test("an event its subscribers refuse is dead-lettered at once, with its place, and listed for staff only", async () => {
  const valid = eventFor("com.example.order.created", "o-poison");
  const poison = { ...valid, data: { ...valid.data, items: [] } };
  await flow.broker.publish([toKafkaRecord(topics.order.name, "o-poison", poison)]);

  await waitFor(async () => (await (await list("?orderId=o-poison")).json()).deadLetters.length === 2, { what: "payment and notification to give up" });
  const { deadLetters } = await (await list("?orderId=o-poison&service=payment")).json();
  expect(deadLetters).toEqual([
    expect.objectContaining({ eventId: valid.id, type: valid.type, orderId: "o-poison", service: "payment", status: 422, attempts: 1, topic: topics.order.name, offset: expect.any(String) }),
  ]);
  expect((await list("", await client.as("u-1"))).status).toBe(403);
  expect((await list("?service=nobody")).status).toBe(422);
});

test("a dead letter redriven by order once its cause is gone is handled once, however often it is redriven", async () => {
  // As if payment had been down for longer than the dispatcher retries.
  const late = eventFor("com.example.order.created", "o-late");
  const origin = { topic: topics.order.name, partition: 0, offset: 0n };
  await flow.broker.publish([deadLetterOfEvent(topics.deadLetter.name, "o-late", late, { service: "payment", status: 503, reason: "down", attempts: 30, origin })]);
  await waitFor(async () => (await (await list("?orderId=o-late")).json()).deadLetters.length === 1, { what: "the dead letter to be listed" });
  expect(await chargesOf("o-late")).toHaveLength(0);

  expect(await redriveOrder("o-late")).toMatchObject({ redriven: 1, published: 1, eventIds: [late.id] });
  await waitFor(async () => (await chargesOf("o-late")).length === 1, { what: "payment to charge the redriven order" });
  expect(await redriveOrder("o-late")).toMatchObject({ redriven: 0, published: 0 });
  expect((await (await list("?orderId=o-late")).json()).deadLetters).toEqual([]);
  // The second redrive published nothing, so nothing is on its way: the count is final now.
  expect(await chargesOf("o-late")).toHaveLength(1);
});
