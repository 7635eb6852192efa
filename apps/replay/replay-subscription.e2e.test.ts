import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "bun:test";
import { openBroker } from "../../lib/engines/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { orderBody, terminalStatuses, testSecurityEnv, waitFor } from "../../lib/testing/index.ts";
import { loadAuditState } from "../audit/audit-state.ts";
import { runAudit } from "../audit/run-audit.ts";
import { composeFlow, type Flow } from "../dev/compose.ts";
import { flowClient } from "../dev/flow-client.ts";
import { roster, subscriptions } from "../roster.ts";
import { dispatcherGroup, replaySubscription } from "./replay-subscription.ts";

/**
 * Replaying every subscription from the beginning of the log, on the embedded engines: the
 * dispatcher delivers every event again, and since every handler is idempotent nothing changes.
 */
const dataDir = mkdtempSync(join(tmpdir(), "orderflow-replay-"));
const log = createMemoryLogger();
let flow: Flow | undefined;
const client = flowClient(() => flow!);
const products = ["p-ship", "p-decline", "p-short"];

const startFlow = async () => {
  flow = await composeFlow({ dataDir, log, retryBaseDelayMs: 10, env: { ...testSecurityEnv } });
  await flow.start();
};
const stopFlow = async () => {
  await flow?.stop();
  flow = undefined;
};

afterAll(async () => {
  await stopFlow();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/**
 * Every dispatcher group's committed offsets, as the embedded broker keeps them on disk; partitions
 * at 0 left out, since a reset commits 0 where the group had never read.
 */
function committedOffsets(): Record<string, Record<string, string>> {
  const file = (service: string) => join(dataDir, "broker", "groups", `${encodeURIComponent(dispatcherGroup(service))}.json`);
  const read = (service: string): Record<string, string> => (existsSync(file(service)) ? JSON.parse(readFileSync(file(service), "utf8")) : {});
  return Object.fromEntries(roster.map((s) => [s.name, Object.fromEntries(Object.entries(read(s.name)).filter(([, offset]) => offset !== "0"))]));
}

/** The recording notifier's sends that were not duplicates of an earlier one. */
function firstSends(): string[] {
  const lines = readFileSync(join(dataDir, "notifications.jsonl"), "utf8").split("\n").filter(Boolean);
  return lines.map((line) => JSON.parse(line) as { idempotencyKey: string; duplicate?: boolean }).filter((s) => !s.duplicate).map((s) => s.idempotencyKey).sort();
}

/** What the flow holds for the orders: statuses, charges and refunds, payments, shipments, notifications, stock. */
async function snapshot(orderIds: string[]) {
  const { read } = client;
  const orders = await Promise.all(
    orderIds.map(async (id) => ({
      order: await read(`/orders/${id}`),
      charges: (await read(`/gateway/charges?orderId=${id}`)).charges,
      payments: (await read(`/payments?orderId=${id}`)).payments,
      shipments: (await read(`/shipments?orderId=${id}`)).shipments,
      notifications: (await read(`/notifications?orderId=${id}`)).notifications,
    })),
  );
  const stock = await Promise.all(products.map((p) => read(`/inventory/${p}`)));
  return { orders, stock, sends: firstSends() };
}

/**
 * Nothing is on its way any more: every outbox published, and every dispatcher group committed to
 * the end of every partition it reads (no delivery in flight or waiting). Then the snapshot.
 */
async function quiet(): Promise<boolean> {
  const { outboxes } = await loadAuditState(flow!.database.db);
  if (outboxes.some((outbox) => outbox.unpublished > 0)) return false;
  const committed = committedOffsets();
  for (const spec of subscriptions) {
    for (const topic of spec.topics) {
      const ends = new Map<number, bigint>();
      for (const record of await flow!.broker.readAll(topic)) ends.set(record.partition, record.offset + 1n);
      for (const [partition, end] of ends) if (committed[spec.service]?.[`${topic}/${partition}`] !== String(end)) return false;
    }
  }
  return true;
}

const atRest = async (orderIds: string[]) => {
  await waitFor(quiet, { timeoutMs: 60_000, what: "every outbox drained and every dispatcher group at the end of its partitions" });
  return snapshot(orderIds);
};

test("a replay of every subscription from the earliest record changes nothing", async () => {
  await startFlow();
  await client.stock("p-ship", 5, 1500);
  await client.stock("p-decline", 5);
  await client.stock("p-short", 1, 700);
  const bodies = [
    orderBody([{ productId: "p-ship", quantity: 2, unitPrice: 1500 }]),
    orderBody([{ productId: "p-decline", quantity: 1 }], { token: "tok_declined" }),
    orderBody([{ productId: "p-short", quantity: 3 }]),
  ];
  const orderIds: string[] = [];
  for (const body of bodies) orderIds.push(((await (await client.post(body)).json()) as { orderId: string }).orderId);
  await waitFor(async () => (await Promise.all(orderIds.map((id) => client.read(`/orders/${id}`)))).every((o) => terminalStatuses.has(o.status)), { what: "every order to settle" });
  const before = await atRest(orderIds);
  expect(before.orders.map((o) => o.order.status)).toEqual(["shipped", "cancelled", "cancelled"]);
  await stopFlow();
  const delivered = committedOffsets();

  const broker = await openBroker({ dataDir }, log);
  for (const service of roster) await replaySubscription(broker, service.name, { earliest: true });
  await broker.close();
  expect(committedOffsets()).not.toEqual(delivered);

  await startFlow();
  await waitFor(() => JSON.stringify(committedOffsets()) === JSON.stringify(delivered), { timeoutMs: 30_000, what: "the dispatcher to deliver everything again" });
  expect(await atRest(orderIds)).toEqual(before);
  const audit = await runAudit(flow!.database, { notificationsFile: join(dataDir, "notifications.jsonl") });
  expect(audit.breaches).toEqual([]);
}, 90_000);
