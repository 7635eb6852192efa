import { bearerFor, freePort, testSecurityEnv, waitFor } from "../../lib/testing/index.ts";
import { runAuditor } from "../harness/audit.ts";
import { createChildren } from "../harness/children.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { productIds } from "../harness/load.ts";
import type { Scenario } from "../harness/scenario.ts";

const finalNotification = (status: string) => (status === "shipped" ? "com.example.shipment.created" : "com.example.order.cancelled");

/**
 * The same kill -9 on the embedded engines: `bun run dev` (every service, the relay and the
 * dispatcher in one process, PGlite and the embedded broker under DATA_DIR) killed repeatedly
 * under load and started again at once on the same data folder; then stopped, and the auditor
 * reads the folder.
 */
export const embeddedKill9: Scenario = {
  name: "embedded-kill-9",
  title: "kill -9 of `bun run dev` (embedded engines), repeatedly, under load",
  fault: "SIGKILL of the single process holding PGlite, the embedded broker and every service; restarted at once on the same DATA_DIR",
  faults: ["kill -9"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 150, rate: 6, kills: 3 } : { orders: 300, rate: 6, kills: 6 };
    const port = freePort();
    const env = { ...process.env, ...testSecurityEnv, DATA_DIR: ctx.workDir, DATABASE_URL: "", KAFKA_BROKERS: "", REDIS_URL: "", UPSTASH_REDIS_REST_URL: "", ORDERFLOW_RATE_LIMIT: "0", LOG_LEVEL: "warn" };
    const children = createChildren(ctx.workDir, () => env);
    ctx.cleanup(() => children.stopAll());
    await children.start("dev", port, { INTERNAL_PORT: String(freePort()) });
    const base = `http://127.0.0.1:${port}`;
    const target = { url: () => base };
    const load = await startLoad(ctx, target, { orders: size.orders, ratePerSecond: size.rate });
    for (let k = 0; k < size.kills; k++) {
      await load.atLeast(Math.floor(((k + 1) * size.orders) / (size.kills + 1)));
      const killed = await children.killAndRestart("dev");
      ctx.fault("kill -9", `bun run dev: pid ${killed.killedPid} ended by ${killed.signal}, pid ${killed.newPid} healthy after ${killed.downMs} ms with ${load.accepted()} orders accepted so far`);
    }
    const result = await load.done;
    checkLoad(ctx, result, size.orders);
    ctx.progress("waiting for the flow to settle");
    const startedAt = Date.now();
    const settled = await waitFor(() => isSettled(base, result.accepted), { timeoutMs: 300_000, intervalMs: 2_000, what: "every order settled and notified" }).catch(() => false);
    ctx.settled({ settled: Boolean(settled), atRest: Boolean(settled), waitedMs: Date.now() - startedAt, counts: { orders: result.accepted.length, open: 0, outcomes: {}, unpublished: 0, outboxRows: 0, charges: 0, refunds: 0, reservations: 0, shipments: 0, notifications: 0, pendingPayments: 0 }, lag: 0 });
    ctx.check("no process died on its own", children.crashes.length === 0, children.crashes.map((c) => `${c.name} (exit ${c.code}): ${c.why}`).join("; ") || "none");
    const outcomes = await outcomesOf(base, result.accepted);
    // The auditor takes DATA_DIR's lock: `bun run dev` stops first (gracefully: what is in flight finishes).
    await children.stopAll();
    return { audit: () => runAuditor(children, { DATABASE_URL: "" }), outcomes: async () => outcomes };
  },
};

const staff = async () => ({ authorization: await bearerFor("staff-faults", "staff") });

/** Every order terminal with its final notification sent, and no stock still reserved. */
async function isSettled(base: string, orderIds: string[]): Promise<boolean> {
  const headers = await staff();
  for (const id of orderIds) {
    const order = (await (await fetch(`${base}/orders/${id}`, { headers })).json()) as { status: string };
    if (!["shipped", "cancelled", "needs_attention"].includes(order.status)) return false;
    if (order.status === "needs_attention") continue;
    const { notifications } = (await (await fetch(`${base}/notifications?orderId=${id}`, { headers })).json()) as { notifications?: Array<{ type: string }> };
    if (!notifications?.some((n) => n.type === finalNotification(order.status))) return false;
  }
  for (const productId of productIds(10)) {
    const stock = (await (await fetch(`${base}/inventory/${productId}`, { headers })).json()) as { reserved: number };
    if (stock.reserved !== 0) return false;
  }
  return true;
}

async function outcomesOf(base: string, orderIds: string[]) {
  const headers = await staff();
  const outcomes: Record<string, number> = {};
  for (const id of orderIds) {
    const { status, reason } = (await (await fetch(`${base}/orders/${id}`, { headers })).json()) as { status: string; reason?: string };
    const key = reason ? `${status} (${reason})` : status;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return { orders: orderIds.length, outcomes };
}
