import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { composeFlow } from "../../apps/dev/compose.ts";
import { notifications } from "../../apps/notification/store/schema.ts";
import { describeEngines, engineConfigFromEnv } from "../../lib/engines/index.ts";
import { createLogger } from "../../lib/log/index.ts";
import { orderBody } from "../../lib/testing/index.ts";

/**
 * End-to-end throughput of the whole flow in one process: orders accepted per second, and how
 * long an order takes from POST to its terminal status. Engines from the environment, as with
 * `bun run dev` (embedded by default; ORDERFLOW_NAMESPACE is set per run for Kafka).
 *
 *   bun bench/flow/run.ts [orders=500] [concurrency=20]
 */
const total = Number(process.argv[2] ?? 500);
const concurrency = Number(process.argv[3] ?? 20);
const dataDir = mkdtempSync(join(tmpdir(), "orderflow-bench-"));
const config = { ...engineConfigFromEnv(process.env), dataDir, namespace: `bench-${crypto.randomUUID().slice(0, 8)}` };
// A load test: the per-customer rate limit is off (ORDERFLOW_RATE_LIMIT=0); tokens are still verified on every request.
const flow = await composeFlow({ ...config, env: { ORDERFLOW_RATE_LIMIT: "0" }, log: createLogger({ name: "bench", level: "silent" }) });
await flow.start();
const call = (path: string, init?: RequestInit) => flow.app.request(path, init);
const bearer = async (sub: string, role: "customer" | "staff" = "customer") => `Bearer ${await flow.tokenFor(sub, role)}`;
const asStaff = { "content-type": "application/json", authorization: await bearer("bench-staff", "staff") };
await call("/inventory/bench-item", { method: "PUT", headers: asStaff, body: JSON.stringify({ available: total * 10 }) });
await call("/products/bench-item", { method: "PUT", headers: asStaff, body: JSON.stringify({ name: "bench item", unitPrice: 1000, currency: "JPY" }) });

const accepted = new Map<string, number>();
const acceptMs: number[] = [];
const settledMs: number[] = [];
const started = performance.now();
let next = 0;
/** One customer per client, placing orders one after the other. */
async function client(_: unknown, clientIndex: number) {
  const headers = { "content-type": "application/json", authorization: await bearer(`bench-${clientIndex}`) };
  while (next < total) {
    const i = next++;
    const t0 = performance.now();
    const response = await call("/orders", {
      method: "POST",
      headers,
      body: JSON.stringify(orderBody([{ productId: "bench-item", quantity: 1 }], { token: i % 10 === 0 ? "tok_declined" : "tok_visa" })),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    acceptMs.push(performance.now() - t0);
    accepted.set(orderId, t0);
  }
}
await Promise.all(Array.from({ length: concurrency }, client));
const acceptedAt = performance.now();

// Completion is counted from the effects: the final notification of each order, sent. One query
// every 50 ms, not a poll of the order API per order, so the harness takes little from the flow.
const finalTypes = ["com.example.shipment.created", "com.example.order.cancelled"];
const seen = new Set<string>();
while (seen.size < accepted.size) {
  const sent = await flow.database.db
    .select({ orderId: notifications.orderId })
    .from(notifications)
    .where(and(inArray(notifications.type, finalTypes), eq(notifications.status, "sent")));
  for (const { orderId } of sent) {
    if (seen.has(orderId) || !accepted.has(orderId)) continue;
    seen.add(orderId);
    settledMs.push(performance.now() - accepted.get(orderId)!);
  }
  await Bun.sleep(50);
}
const doneAt = performance.now();
await flow.stop();
rmSync(dataDir, { recursive: true, force: true });

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!.toFixed(1);
console.log(`engines: ${describeEngines(config)}`);
console.log(`${total} orders, ${concurrency} concurrent clients, on ${navigator.hardwareConcurrency} cores`);
console.log(`accepted: ${(total / ((acceptedAt - started) / 1000)).toFixed(0)} orders/s; POST latency p50 ${pct(acceptMs, 50)} ms, p95 ${pct(acceptMs, 95)} ms`);
console.log(`settled:  ${(total / ((doneAt - started) / 1000)).toFixed(0)} orders/s end to end; POST → terminal p50 ${pct(settledMs, 50)} ms, p95 ${pct(settledMs, 95)} ms`);
