import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { toBatchRequest, toKafkaRecord, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { eventFor, orderBody, signedForTest, terminalStatuses, testAddress, testSecurityEnv, waitFor, webhookUrl } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "./compose.ts";
import { flowClient } from "./flow-client.ts";

/**
 * What the flow writes to its log (the security issue: no secrets or PII in logs), through a happy
 * order, a declined one, an invalid event on a topic (dead-lettered), an invalid push, and two
 * unexpected failures whose queries carry an address, a card token and a whole event.
 */
let flow: Flow;
let dataDir: string;
const log = createMemoryLogger();
const client = flowClient(() => flow);
const lines = () => log.lines().map((line) => ({ line, fields: JSON.parse(line) as Record<string, any> }));
const errorLines = () => lines().filter(({ fields }) => fields.level >= 50);
const addressParts = [...Object.values(orderBody([]).shippingAddress), ...Object.values(testAddress)];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "orderflow-logs-"));
  flow = await composeFlow({ dataDir, log, retryBaseDelayMs: 10, env: { ...testSecurityEnv } });
  await flow.start();
  await client.stock("log-tea", 10, 1200);
}, 60_000);
afterAll(async () => {
  await flow?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function settled(orderId: string): Promise<string> {
  return waitFor(
    async () => {
      const { status } = await client.read(`/orders/${orderId}`, "u-log");
      return terminalStatuses.has(status) ? status : undefined;
    },
    { what: `order ${orderId} to settle` },
  );
}

async function place(token: string): Promise<string> {
  const response = await client.post(orderBody([{ productId: "log-tea", quantity: 1 }], { token }), "u-log");
  expect(response.status).toBe(202);
  return (await response.json()).orderId;
}

/** Every write to `table` fails until the returned function is called: an unexpected error, a 500. */
async function failWritesTo(table: string): Promise<() => Promise<void>> {
  await flow.database.db.execute(sql.raw(`alter table ${table} add constraint logs_test_refuses check (false) not valid`));
  return async () => void (await flow.database.db.execute(sql.raw(`alter table ${table} drop constraint logs_test_refuses`)));
}

test("a happy order and a declined one", async () => {
  expect(await settled(await place("tok_visa"))).toBe("shipped");
  expect(await settled(await place("tok_declined"))).toBe("cancelled");
});

test("an order whose write fails: a 500, logged with the request and the database's code", async () => {
  const restore = await failWritesTo("orders.outbox");
  try {
    const response = await client.post(orderBody([{ productId: "log-tea", quantity: 1 }], { token: "tok_visa" }), "u-log");
    expect(response.status).toBe(500);
  } finally {
    await restore();
  }
  expect(errorLines().map(({ fields }) => fields)).toContainEqual(
    expect.objectContaining({ method: "POST", path: "/orders", service: "order", error: expect.objectContaining({ database: expect.objectContaining({ code: "23514" }) }) }),
  );
});

test("a handler that fails: the 500's log line names the event it was applying", async () => {
  const restore = await failWritesTo("shipping.shipments");
  let orderId = "";
  try {
    orderId = await place("tok_visa");
    await waitFor(() => errorLines().some(({ fields }) => fields.path === "/events/shipping"), { what: "shipping's handler to fail" });
  } finally {
    await restore();
  }
  expect(await settled(orderId)).toBe("shipped");
  const failed = errorLines().find(({ fields }) => fields.path === "/events/shipping")!.fields;
  expect(failed).toMatchObject({ service: "shipping", orderId, event: { type: "com.example.stock.reserved" }, error: { database: { code: "23514" } } });
  expect(failed.event.id).toBeString();
});

/** order.created with a currency nobody uses; its data still carries the address and the card token. */
function invalidOrderCreated(orderId: string, id: string): ValidCloudEvent {
  const valid = eventFor("com.example.order.created", orderId, { id });
  return { ...valid, data: { ...valid.data, currency: "ZZZ" } } as ValidCloudEvent;
}

test("an invalid event on a topic is dead-lettered: the line names it and the failing field", async () => {
  const invalid = invalidOrderCreated("o-log-invalid", "evt-log-invalid");
  await flow.broker.publish([toKafkaRecord(topics.order.name, "o-log-invalid", invalid)]);
  await waitFor(() => errorLines().some(({ fields }) => fields.events?.[0]?.id === "evt-log-invalid"), { what: "the dead letter" });
  const deadLettered = errorLines().filter(({ fields }) => fields.events?.[0]?.id === "evt-log-invalid").map(({ fields }) => fields);
  for (const fields of deadLettered) {
    expect(fields).toMatchObject({ status: 422, events: [{ id: "evt-log-invalid", type: "com.example.order.created" }], refusal: { code: "event.invalid_data" } });
    expect(fields.refusal.fields).toContainEqual(expect.stringContaining("currency"));
  }
});

test("an invalid signed push is refused", async () => {
  const push = await signedForTest(toBatchRequest(webhookUrl("payment"), [invalidOrderCreated("o-log-push", "evt-log-push")]));
  expect((await flow.internal(push)).status).toBe(422);
});

test("no line carries a card token, an address, a bearer token or a whole event", async () => {
  const bearer = await flow.tokenFor("u-log");
  const forbidden = ["tok_visa", "tok_declined", bearer, "specversion", ...addressParts];
  const leaks = lines().flatMap(({ line }) => forbidden.filter((secret) => line.includes(secret)).map((secret) => `${secret} in ${line.slice(0, 200)}`));
  expect(leaks).toEqual([]);
  expect(errorLines().length).toBeGreaterThanOrEqual(3);
});
