import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { roster, type ServiceName } from "./roster.ts";
import { freePort, httpFlowClient, orderBody, tryGetServiceUrl, waitFor, testSecurityEnv } from "../lib/testing/index.ts";

/**
 * One process per service (`bun apps/start.ts <name>`) on real Kafka, PostgreSQL and Redis: five
 * services, the relay and two dispatchers sharing the consumer groups. The run gets a fresh
 * database and its own Kafka namespace (ORDERFLOW_NAMESPACE: fresh topics and groups), so records
 * left in the shared topics by earlier runs never reach it.
 */
const kafkaBrokers = tryGetServiceUrl("kafka");
const databaseUrl = tryGetServiceUrl("postgres");
const redisUrl = tryGetServiceUrl("redis");

const root = join(import.meta.dir, "..");
const services: ServiceName[] = roster.map((service) => service.name);
type Name = ServiceName | "relay" | "dispatcher";
type Child = { name: Name; port: number; log: string; process: ReturnType<typeof Bun.spawn> };

describe.skipIf(!kafkaBrokers || !databaseUrl || !redisUrl)("one process per service on Kafka, PostgreSQL and Redis", () => {
  // Nothing here may touch the machine: a skipped describe still runs its body. beforeAll sets these.
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const database = `orderflow_mp_${run}`;
  let workDir = "";
  let admin: ReturnType<typeof postgres> | undefined;
  let ports = {} as Record<ServiceName, number>;
  let internalPorts = {} as Record<ServiceName, number>;
  let env: Record<string, string | undefined> = {};
  const base = (service: ServiceName) => `http://127.0.0.1:${ports[service]}`;
  const children: Child[] = [];
  let spawned = 0;

  function environment(): Record<string, string | undefined> {
    return {
      ...process.env,
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
      DATABASE_URL: Object.assign(new URL(databaseUrl!), { pathname: `/${database}` }).toString(),
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: kafkaBrokers,
      ORDERFLOW_NAMESPACE: `mp-${run}`,
      DATA_DIR: workDir,
      HOST: "127.0.0.1",
      ...testSecurityEnv,
      ...Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_EVENTS_URL`, `http://127.0.0.1:${internalPorts[s]}`])),
      // A killed service is down for seconds (and its Redis claims outlive it): keep retrying, never dead-letter.
      DISPATCH_MAX_ATTEMPTS: "1000",
      DISPATCH_RETRY_BASE_MS: "50",
      DISPATCH_RETRY_MAX_MS: "1000",
    };
  }

  function spawn(name: Name | "migrate", port: number) {
    const log = join(workDir, `${name}-${++spawned}.log`);
    const fd = openSync(log, "a");
    const internal = (services as string[]).includes(name) ? { INTERNAL_PORT: String(internalPorts[name as ServiceName]) } : {};
    const proc = Bun.spawn(["bun", "apps/start.ts", name], { cwd: root, env: { ...env, ...internal, PORT: String(port) }, stdout: fd, stderr: fd });
    closeSync(fd);
    return { log, process: proc };
  }

  /** Starts a process and waits for its /health; a process that exits first fails with its output. */
  async function start(name: Name, port: number): Promise<Child> {
    const child: Child = { name, port, ...spawn(name, port) };
    children.push(child);
    let ready = false;
    const exited = child.process.exited.then((code) => {
      if (!ready) throw new Error(`${name} exited with ${code} during start-up:\n${readFileSync(child.log, "utf8")}`);
    });
    await Promise.race([
      waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, { timeoutMs: 60_000, what: `${name} on :${port}` }),
      exited,
    ]);
    ready = true;
    return child;
  }

  const { call, asStaff, read: json, putStock, placeOrder, settled, settleAll } = httpFlowClient(base);

  /** What reached the customer, as counts per idempotency key ({type}:{orderId}); repeats the notifier stopped are not counted. */
  function sentPerKey(): Map<string, number> {
    const counts = new Map<string, number>();
    const file = join(workDir, "notifications.jsonl");
    if (!existsSync(file)) return counts;
    for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
      const attempt = JSON.parse(line) as { idempotencyKey: string; duplicate: boolean };
      if (!attempt.duplicate) counts.set(attempt.idempotencyKey, (counts.get(attempt.idempotencyKey) ?? 0) + 1);
    }
    return counts;
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "orderflow-mp-"));
    ports = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
    internalPorts = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
    env = environment();
    admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${database}`);
    const migrate = spawn("migrate", 0);
    if ((await migrate.process.exited) !== 0) throw new Error(`migrate failed:\n${readFileSync(migrate.log, "utf8")}`);
    await Promise.all(services.map((s) => start(s, ports[s])));
    await start("relay", freePort());
    // Two dispatchers: every subscription's consumer group shares its partitions between them.
    await Promise.all([start("dispatcher", freePort()), start("dispatcher", freePort())]);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.process.kill("SIGTERM");
    await Promise.all(
      children.map((child) => Promise.race([child.process.exited, Bun.sleep(10_000).then(() => child.process.kill(9))])),
    );
    await admin?.unsafe(`drop database if exists ${database} with (force)`);
    await admin?.end();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  test("happy path, declined card and out of stock, each step in its own process", async () => {
    await putStock("mp-tea", 5, 1500);
    await putStock("mp-mug", 1, 700);
    const happy = await placeOrder(orderBody([{ productId: "mp-tea", quantity: 2, unitPrice: 1500 }]));
    const declined = await placeOrder(orderBody([{ productId: "mp-tea", quantity: 1 }], { token: "tok_declined" }), "u-2");
    const short = await placeOrder(orderBody([{ productId: "mp-mug", quantity: 3 }]));
    const [h, d, s] = await settleAll([happy, declined, short], 60_000);

    expect(h).toMatchObject({ status: "shipped", totalAmount: 3000 });
    expect(h.timeline.map((e: { type: string }) => e.type)).toEqual([
      "com.example.order.created",
      "com.example.payment.completed",
      "com.example.stock.reserved",
      "com.example.shipment.created",
    ]);
    expect((await json("payment", `/payments?orderId=${happy}`)).payments).toMatchObject([{ status: "completed", amount: 3000 }]);
    expect((await json("payment", `/gateway/charges?orderId=${happy}`)).charges).toMatchObject([{ status: "succeeded", amount: 3000, refunds: [] }]);
    expect((await json("shipping", `/shipments?orderId=${happy}`)).shipments).toHaveLength(1);
    await waitFor(async () => (await json("inventory", "/inventory/mp-tea")).reserved === 0, { what: "the shipment to leave inventory" });
    expect(await json("inventory", "/inventory/mp-tea")).toEqual({ productId: "mp-tea", available: 3, reserved: 0 });
    const types = async (id: string) => (await json("notification", `/notifications?orderId=${id}`)).notifications.map((n: any) => n.type).sort();
    await waitFor(async () => (await types(happy)).length === 4, { what: "four notifications for the happy order" });
    expect(await types(happy)).toEqual([
      "com.example.order.created",
      "com.example.payment.completed",
      "com.example.shipment.created",
      "com.example.stock.reserved",
    ]);

    expect(d).toMatchObject({ status: "cancelled", reason: "payment_failed" });
    expect((await json("payment", `/gateway/charges?orderId=${declined}`)).charges).toMatchObject([{ status: "declined" }]);

    expect(s).toMatchObject({ status: "cancelled", reason: "out_of_stock" });
    expect((await json("payment", `/gateway/charges?orderId=${short}`)).charges).toMatchObject([
      { status: "succeeded", amount: 2100, refunds: [{ amount: 2100 }] },
    ]);
    expect(await json("inventory", "/inventory/mp-mug")).toEqual({ productId: "mp-mug", available: 1, reserved: 0 });
    // Nothing shipped: shipping has no record of the order (404, even for staff).
    expect((await call("shipping", `/shipments?orderId=${short}`, { headers: await asStaff() })).status).toBe(404);
  }, 90_000);

  /** How far the victim got: true once it has done part of the work (so the kill lands mid-flow). */
  type Victim = ServiceName | "relay" | "dispatcher";
  const anyCharge = async (ids: string[]) =>
    (await Promise.all(ids.map((id) => json("payment", `/gateway/charges?orderId=${id}`)))).some((r) => r.charges?.length > 0);
  const progress: Record<Victim, (orderIds: string[], productId: string) => Promise<boolean>> = {
    order: async (ids) => (await Promise.all(ids.map((id) => json("order", `/orders/${id}`)))).some((o) => o.status !== "pending"),
    payment: anyCharge,
    inventory: async (_ids, productId) => {
      const stock = await json("inventory", `/inventory/${productId}`);
      return stock.reserved > 0 || stock.available < 15; // reserved, or already shipped
    },
    shipping: async (ids) => (await Promise.all(ids.map((id) => json("shipping", `/shipments?orderId=${id}`)))).some((r) => r.shipments?.length > 0),
    notification: async (ids) => (await Promise.all(ids.map((id) => json("notification", `/notifications?orderId=${id}`)))).some((r) => r.notifications?.length > 0),
    // The relay published order.created and a dispatcher delivered it once a charge exists.
    relay: anyCharge,
    dispatcher: anyCharge,
  };

  test.each(["order", "payment", "inventory", "shipping", "notification", "relay", "dispatcher"] as const)(
    "kill -9 of %s with 20 orders in flight, restart on the same port: all settle, nothing twice",
    async (victim) => {
      const productId = `mp-crash-${victim}`;
      await putStock(productId, 15);
      // 20 orders of one unit, every fifth declined: 16 paid for 15 units, so 15 ship and 1 is refunded.
      const tokens = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? "tok_declined" : "tok_visa"));
      const orderIds = await Promise.all(tokens.map((token, i) => placeOrder(orderBody([{ productId, quantity: 1 }], { token }), `u-${victim}-${i}`)));

      await waitFor(() => progress[victim](orderIds, productId), { intervalMs: 10, what: `${victim} to start on the orders` });
      // Proof that the kill lands mid-flow: just before it, the flow was not finished.
      expect(await settled(orderIds)).toBeUndefined();
      const child = children.find((c) => c.name === victim && c.process.exitCode === null && !c.process.killed)!;
      child.process.kill(9);
      await child.process.exited;

      await start(victim, child.port);
      const orders = await settleAll(orderIds);

      const byOutcome = (status: string, reason?: string) => orders.filter((o) => o.status === status && o.reason === reason).length;
      expect({ shipped: byOutcome("shipped"), declined: byOutcome("cancelled", "payment_failed"), short: byOutcome("cancelled", "out_of_stock") })
        .toEqual({ shipped: 15, declined: 4, short: 1 });
      for (const order of orders) {
        const { charges } = await json("payment", `/gateway/charges?orderId=${order.orderId}`);
        expect(charges).toHaveLength(1); // no double charge
        expect(charges[0].refunds).toHaveLength(order.reason === "out_of_stock" ? 1 : 0);
        expect((await json("payment", `/payments?orderId=${order.orderId}`)).payments).toHaveLength(1);
        expect((await json("shipping", `/shipments?orderId=${order.orderId}`)).shipments ?? []).toHaveLength(order.status === "shipped" ? 1 : 0);
        const notified = (await json("notification", `/notifications?orderId=${order.orderId}`)).notifications.map((n: any) => n.type);
        expect(new Set(notified).size).toBe(notified.length); // one row per (type, order)
      }
      // No double reservation: the 15 units that shipped left once each; nothing stays held.
      await waitFor(async () => (await json("inventory", `/inventory/${productId}`)).reserved === 0, { what: "every shipment to leave inventory" });
      expect(await json("inventory", `/inventory/${productId}`)).toEqual({ productId, available: 0, reserved: 0 });

      // What reached the customer: once per (type, order). A killed notification process may try a
      // send again (sent, then killed before its row was marked); the idempotency key stops it.
      const sent = sentPerKey();
      const resent = [...sent].filter(([key, count]) => count > 1 && orderIds.some((id) => key.endsWith(`:${id}`)));
      expect(resent).toEqual([]);
    },
    240_000,
  );
});
