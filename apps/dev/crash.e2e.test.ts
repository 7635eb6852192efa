import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "bun:test";
import { bearerFor, freePort, orderBody, terminalStatuses, testSecurityEnv, waitFor } from "../../lib/testing/index.ts";

/**
 * kill -9 of the `bun run dev` process mid-flow, then a restart on the same data folder: every
 * accepted order still reaches a terminal state, nobody is charged twice, stock is conserved.
 */
const dataDir = mkdtempSync(join(tmpdir(), "orderflow-crash-"));
const children: Array<ReturnType<typeof Bun.spawn>> = [];

async function startDev(port: number) {
  const child = Bun.spawn(["bun", "apps/dev/index.ts"], {
    cwd: join(import.meta.dir, "../.."),
    // Embedded defaults, whatever engines the test run itself was given.
    // The test's secrets, so that its tokens verify; the internal listener on a port of its own.
    env: {
      ...process.env,
      ...testSecurityEnv,
      PORT: String(port),
      INTERNAL_PORT: String(freePort()),
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      KAFKA_BROKERS: "",
      REDIS_URL: "",
      UPSTASH_REDIS_REST_URL: "",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/health`)).ok, { timeoutMs: 60_000, what: "dev server health" });
  return { child, base };
}

/** The recording notifier's log: every send attempt, `duplicate` when its key was delivered before (none before its first send). */
function sendAttempts(): Array<{ idempotencyKey: string; duplicate: boolean }> {
  const log = join(dataDir, "notifications.jsonl");
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
}
const sentKeys = () => sendAttempts().map((attempt) => attempt.idempotencyKey);

afterAll(() => {
  for (const child of children) child.kill(9);
  rmSync(dataDir, { recursive: true, force: true });
});

test("kill -9 mid-flow, restart: every accepted order ends terminal, no double charge", async () => {
  const port = freePort();
  const first = await startDev(port);
  const asStaff = { "content-type": "application/json", authorization: await bearerFor("staff-1", "staff") };
  const put = (path: string, body: unknown) => fetch(`${first.base}${path}`, { method: "PUT", headers: asStaff, body: JSON.stringify(body) });
  expect((await put("/inventory/crash-scarce", { available: 10 })).status).toBe(200);
  expect((await put("/products/crash-scarce", { name: "scarce", unitPrice: 1000, currency: "JPY" })).status).toBe(200);

  const accepted: string[] = [];
  const post = async (i: number) => {
    const body = orderBody([{ productId: "crash-scarce", quantity: 1 }], { token: i % 5 === 0 ? "tok_declined" : "tok_visa" });
    const headers = { "content-type": "application/json", authorization: await bearerFor(`u-${i}`) };
    const response = await fetch(`${first.base}/orders`, { method: "POST", headers, body: JSON.stringify(body) });
    if (response.status === 202) accepted.push(((await response.json()) as { orderId: string }).orderId);
  };
  await Promise.all(Array.from({ length: 25 }, (_, i) => post(i)));
  // Kill at once, while the flow is still running: the notification log shows which orders had
  // not reached their final notification (shipment.created or order.cancelled) yet.
  first.child.kill(9);
  await first.child.exited;
  expect(accepted.length).toBe(25);
  const finalKeys = new Set(sentKeys().filter((key) => /shipment\.created|order\.cancelled/.test(key)));
  expect(accepted.some((id) => ![...finalKeys].some((key) => key.endsWith(`:${id}`)))).toBe(true);

  const second = await startDev(port);
  const orders = await waitFor(async () => {
    const all = await Promise.all(accepted.map(async (id) => (await (await fetch(`${second.base}/orders/${id}`, { headers: asStaff })).json()) as any));
    return all.every((o) => terminalStatuses.has(o.status)) ? all : undefined;
  }, { timeoutMs: 120_000, what: "all accepted orders to settle after the restart" });

  for (const order of orders) {
    const { charges } = (await (await fetch(`${second.base}/gateway/charges?orderId=${order.orderId}`, { headers: asStaff })).json()) as any;
    expect(charges).toHaveLength(1);
    expect(charges[0].refunds.length).toBeLessThanOrEqual(1);
    if (order.status === "cancelled" && order.reason === "out_of_stock") expect(charges[0].refunds).toHaveLength(1);
  }
  const shippedUnits = orders.filter((o) => o.status === "shipped").length;
  // No double reservation, stock conserved: once every shipment has left inventory, the shelf holds
  // what was there minus what shipped, and nothing stays reserved.
  const stockNow = async () => (await (await fetch(`${second.base}/inventory/crash-scarce`)).json()) as { reserved: number; available: number };
  await waitFor(async () => (await stockNow()).reserved === 0, { what: "every shipment to leave inventory" });
  expect(await stockNow()).toEqual({ productId: "crash-scarce", available: 10 - shippedUnits, reserved: 0 } as never);

  // Notifications: every (type, order) reached the customer exactly once. A send cut off by the
  // kill between the provider and the database is attempted again, and the key stops it there.
  // Every customer hears of the order and of its end; a step message that arrives after the end
  // was sent is skipped by design (notification's story stages), so the count between varies.
  // The last messages may still be on their way when the status is terminal: wait for them.
  const deliveredKeys = () => sendAttempts().filter((attempt) => !attempt.duplicate).map((attempt) => attempt.idempotencyKey);
  const finalType = (order: { status: string }) => (order.status === "shipped" ? "com.example.shipment.created" : "com.example.order.cancelled");
  await waitFor(
    () => {
      const keys = new Set(deliveredKeys());
      return orders.every((order) => keys.has(`com.example.order.created:${order.orderId}`) && keys.has(`${finalType(order)}:${order.orderId}`));
    },
    // A send the kill cut off is taken over when its lease (30 s) runs out; the order's later messages wait behind it.
    { timeoutMs: 90_000, what: "every order's first and final message to be sent" },
  );
  const delivered = deliveredKeys();
  expect(delivered.length).toBe(new Set(delivered).size);
  second.child.kill("SIGTERM");
  await second.child.exited;
}, 240_000);
