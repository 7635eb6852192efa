import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createScratchDatabase, freePort, httpFlowClient, orderBody, testSecurityEnv, tryGetServiceUrl, waitFor } from "../../lib/testing/index.ts";

/**
 * `bun run start workers --count 2` on real Kafka, PostgreSQL and Redis: two whole flows on one
 * port, sharing the partitions; a worker killed with SIGKILL is started again and no order is lost
 * or charged twice; SIGTERM stops everything. Its own database and Kafka namespace.
 */
const kafkaBrokers = tryGetServiceUrl("kafka");
const databaseUrl = tryGetServiceUrl("postgres");
const redisUrl = tryGetServiceUrl("redis");
const root = join(import.meta.dir, "..", "..");

describe.skipIf(!kafkaBrokers || !databaseUrl || !redisUrl)("bun run start workers", () => {
  let workDir = "";
  let log = "";
  let base = "";
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let supervisor: ReturnType<typeof Bun.spawn> | undefined;

  /** The supervisor's JSON lines (the workers' own output is interleaved, and skipped). */
  const supervisorLines = () =>
    readFileSync(log, "utf8")
      .split("\n")
      .flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as { name?: string; msg: string; worker?: number; workerPid?: number }] : []))
      .filter((line) => line.name === "workers");
  const startsOf = (worker: number) => supervisorLines().filter((l) => l.msg === "worker started" && l.worker === worker);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  // One port for the whole flow: every service's routes are there.
  const client = httpFlowClient(() => base);
  const place = (productId: string, customer: string) => client.placeOrder(orderBody([{ productId, quantity: 1 }]), customer);
  const notifiedBy = (worker: number) => {
    const file = join(workDir, `worker-${worker}`, "notifications.jsonl");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
  };

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "orderflow-workers-"));
    log = join(workDir, "workers.log");
    scratch = await createScratchDatabase(databaseUrl!);
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    const fd = openSync(log, "a");
    supervisor = Bun.spawn(["bun", "apps/start.ts", "workers", "--count", "2"], {
      cwd: root,
      env: {
        ...process.env,
        UPSTASH_REDIS_REST_URL: undefined,
        UPSTASH_REDIS_REST_TOKEN: undefined,
        DATABASE_URL: scratch.url,
        KAFKA_BROKERS: kafkaBrokers,
        REDIS_URL: redisUrl,
        ORDERFLOW_NAMESPACE: `wk-${crypto.randomUUID().slice(0, 8)}`,
        DATA_DIR: workDir,
        PORT: String(port),
        INTERNAL_PORT: String(freePort()),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        ...testSecurityEnv,
      },
      stdout: fd,
      stderr: fd,
    });
    closeSync(fd);
    // Both workers have joined their consumer groups once each has printed that it runs.
    await waitFor(() => supervisor!.exitCode === null && /orderflow worker 2\/2 is running/.test(readFileSync(log, "utf8")), {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: `both workers to run (${log})`,
    });
    await client.putStock("wk-tea", 1_000, 900);
  }, 150_000);

  afterAll(async () => {
    const pids = supervisorLines().flatMap((l) => (l.workerPid ? [l.workerPid] : []));
    if (supervisor && supervisor.exitCode === null) {
      supervisor.kill("SIGTERM");
      await Promise.race([supervisor.exited, Bun.sleep(60_000).then(() => supervisor!.kill(9))]);
    }
    for (const pid of pids) if (alive(pid)) process.kill(pid, 9);
    await scratch?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 90_000);

  test("orders placed on the one port settle, and both workers do part of the work", async () => {
    const ids = await Promise.all(Array.from({ length: 24 }, (_, i) => place("wk-tea", `u-${i}`)));
    const orders = await client.settleAll(ids, 90_000);
    expect(orders.map((o) => o.status)).toEqual(ids.map(() => "shipped"));
    // order-events' partitions are shared between the two dispatchers: each sends some of the messages.
    await waitFor(() => notifiedBy(1) > 0 && notifiedBy(2) > 0, { what: "both workers to send notifications" });
  }, 120_000);

  test("a worker killed with SIGKILL is started again; no order is lost or charged twice", async () => {
    const [killed] = startsOf(2);
    expect(killed?.workerPid).toBeGreaterThan(0);
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => place("wk-tea", `u-${i}`)));
    process.kill(killed!.workerPid!, "SIGKILL");
    const restarted = await waitFor(() => startsOf(2).find((l) => l.workerPid !== killed!.workerPid), { timeoutMs: 30_000, what: "worker 2 to be started again" });
    await waitFor(() => alive(restarted.workerPid!), { what: "the new worker 2 to be running" });
    const orders = await client.settleAll(ids, 120_000);
    expect(orders.map((o) => o.status)).toEqual(ids.map(() => "shipped"));
    for (const id of ids) {
      const { charges } = await client.read("payment", `/gateway/charges?orderId=${id}`);
      expect(charges).toMatchObject([{ status: "succeeded", amount: 900 }]);
    }
  }, 180_000);

  test("SIGTERM stops every worker, then the supervisor, with exit code 0", async () => {
    const pids = supervisorLines().flatMap((l) => (l.workerPid ? [l.workerPid] : []));
    supervisor!.kill("SIGTERM");
    expect(await supervisor!.exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 90_000);
});
