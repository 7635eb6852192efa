import { afterAll, beforeAll, expect, test } from "bun:test";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { Database } from "../../lib/db/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import type { RunningService } from "../../lib/service/index.ts";
import { bearerFor, createTestDatabase, deliver, eventFor, problemOf, testSecurity } from "../../lib/testing/index.ts";
import { payment } from "./service.ts";

/**
 * What payment answers about an order, as it is deployed (the service with the sandbox's ledger
 * beside it): its customer and staff see the payment and the charges; anyone else gets the 404 of
 * an order that does not exist.
 */
let database: Database;
let service: RunningService;

beforeAll(async () => {
  database = await createTestDatabase();
  const [clock, ids] = [createFixedClock(), createSequentialIds("pay")];
  service = payment.create({ database, idempotency: createMemoryIdempotencyStore(), security: testSecurity, clock, ids, dataDir: "", env: {}, log: createMemoryLogger() });
  await deliver(service.app, "payment", eventFor("com.example.order.created", "p-owned"));
}, 60_000);
afterAll(async () => database?.close(), 60_000);

const read = async (path: string, ...caller: Parameters<typeof bearerFor> | []) =>
  service.app.request(path, caller.length ? { headers: { authorization: await bearerFor(...(caller as Parameters<typeof bearerFor>)) } } : {});

test.each(["/payments?orderId=p-owned", "/gateway/charges?orderId=p-owned"])("%s: the customer and staff read it", async (path) => {
  for (const caller of [["user-of-p-owned"], ["staff-1", "staff"]] as const) {
    const response = await read(path, ...caller);
    expect(response.status).toBe(200);
    expect(Object.values((await response.json()) as Record<string, unknown[]>)[0]).toHaveLength(1);
  }
});

test.each([
  ["/payments?orderId=p-owned", "payment.not_found"],
  ["/gateway/charges?orderId=p-owned", "gateway.not_found"],
])("%s: another customer gets the 404 of an unknown order; no token is 401", async (path, code) => {
  const stranger = await read(path, "u-stranger");
  const unknown = await read(path.replace("p-owned", "p-never-placed"), "user-of-p-owned");
  for (const response of [stranger, unknown]) {
    expect(response.status).toBe(404);
    expect((await problemOf(response)).code).toBe(code);
  }
  expect((await read(path)).status).toBe(401);
});
