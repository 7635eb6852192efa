import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toBatchRequest, toStructuredRequest, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { createWebhookSigner, generateWebhookSecret, signRequest } from "../../lib/security/index.ts";
import { eventFor, orderBody, signedForTest, terminalStatuses, testSecurityEnv, testSigner, waitFor } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "./compose.ts";
import { flowClient } from "./flow-client.ts";

/**
 * The forged events of the security issue, each a regression test through the whole flow: on the
 * public port there is no webhook (404); on the internal one an unsigned push, one signed with
 * another secret, and one signed more than 5 minutes ago are 401; nothing changes.
 */
let flow: Flow;
let dataDir: string;
const client = flowClient(() => flow);
let genuine: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "orderflow-forged-"));
  flow = await composeFlow({ dataDir, log: createMemoryLogger(), retryBaseDelayMs: 10, env: { ...testSecurityEnv } });
  await flow.start();
  await client.stock("furoshiki-large", 2, 2800);
  const placed = await client.post(orderBody([{ productId: "furoshiki-large", quantity: 1 }]), "u-1");
  genuine = (await placed.json()).orderId;
  await waitFor(async () => terminalStatuses.has((await client.read(`/orders/${genuine}`, "u-1")).status), { what: "the genuine order to settle" });
}, 60_000);
afterAll(async () => {
  await flow?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const url = (service: string) => `http://internal/events/${service}`;
const anotherSecret = createWebhookSigner([generateWebhookSecret()]);
const sixMinutesAgo = () => new Date(Date.now() - 6 * 60_000);
const forgeries = {
  "unsigned": async (request: Request) => request,
  "signed with another secret": (request: Request) => signRequest(request, anotherSecret, "forged-1"),
  "signed over 5 minutes ago": (request: Request) => signRequest(request, (id, body) => testSigner(id, body, sixMinutesAgo()), "stale-1"),
};

/** Everything a forged event could change, read back as staff. */
async function snapshot(orderId: string) {
  const answer = async (path: string) => {
    const response = await client.call(path, { headers: await client.staff() });
    return { status: response.status, body: await response.json() };
  };
  return {
    stock: await answer("/inventory/furoshiki-large"),
    order: await answer(`/orders/${orderId}`),
    charges: await answer(`/gateway/charges?orderId=${orderId}`),
    shipments: await answer(`/shipments?orderId=${orderId}`),
    notifications: await answer(`/notifications?orderId=${orderId}`),
  };
}

const cases: Array<{ name: string; service: string; event: (genuineId: string) => ValidCloudEvent; orderOf: (genuineId: string) => string }> = [
  {
    name: "payment.completed for an order never placed, to inventory (it reserved the last furoshiki)",
    service: "inventory",
    event: () => eventFor("com.example.payment.completed", "o-never-placed", { data: { items: [{ productId: "furoshiki-large", quantity: 1 }] } }),
    orderOf: () => "o-never-placed",
  },
  {
    name: "shipment.created with the sender's link, to notification (it would suppress the genuine one)",
    service: "notification",
    event: (id) => eventFor("com.example.shipment.created", id, { id: "forged-shipment", data: { userId: "u-1", carrier: "evil.example", trackingNumber: "https-evil-example" } }),
    orderOf: (id) => id,
  },
  {
    name: "payment.failed for anyone's order, to order (it cancelled the order)",
    service: "order",
    event: (id) => eventFor("com.example.payment.failed", id, { id: "forged-failure", data: { userId: "u-1" } }),
    orderOf: (id) => id,
  },
  {
    name: "order.created charging any token any amount, to payment",
    service: "payment",
    event: () => eventFor("com.example.order.created", "o-forged-charge", { data: { totalAmount: 99_999_999 } }),
    orderOf: () => "o-forged-charge",
  },
];

describe.each(cases)("forged: $name", ({ service, event, orderOf }) => {
  test("public port: no webhook (404); internal port: unsigned, wrongly signed or stale → 401; nothing changes", async () => {
    const before = await snapshot(orderOf(genuine));
    const push = () => toStructuredRequest(url(service), event(genuine));
    expect((await client.call(`/events/${service}`, { method: "POST", headers: push().headers, body: await push().text() })).status).toBe(404);
    for (const [how, forge] of Object.entries(forgeries)) {
      const response = await flow.internal(await forge(push()));
      expect([how, response.status, (await response.json()).code]).toEqual([how, 401, "webhook.unauthenticated"]);
    }
    expect(await snapshot(orderOf(genuine))).toEqual(before);
  });
});

test("a signed event from the wrong source is 422 naming source, and a signed push of 501 events is 413; nothing changes", async () => {
  const before = await snapshot("o-wrong-source");
  const wrongSource = { ...eventFor("com.example.payment.completed", "o-wrong-source"), source: "/order-service" } as ValidCloudEvent;
  const refused = await flow.internal(await signedForTest(toStructuredRequest(url("inventory"), wrongSource)));
  expect(refused.status).toBe(422);
  expect((await refused.json()).errors).toEqual([expect.objectContaining({ field: "source" })]);
  const many = Array.from({ length: 501 }, (_, i) => eventFor("com.example.order.cancelled", `o-many-${i}`));
  const tooMany = await flow.internal(await signedForTest(toBatchRequest(url("notification"), many)));
  expect([tooMany.status, (await tooMany.json()).code]).toEqual([413, "request.too_many_events"]);
  expect(await snapshot("o-wrong-source")).toEqual(before);
});
