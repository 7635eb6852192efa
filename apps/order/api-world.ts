import { afterAll, beforeAll } from "bun:test";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { Database } from "../../lib/db/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { bearerFor, createTestDatabase, testSecurity } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";

type Role = "customer" | "staff";

/**
 * The order service's API on a PGlite of the test file's own, for its route tests: requests as a
 * customer or staff (a test token), and the catalogue's prices set as staff would.
 */
export function orderApi(options: { ordersPerMinute?: number } = {}) {
  let database: Database | undefined;
  let app: ReturnType<typeof createApp> | undefined;
  const clock = createFixedClock();
  beforeAll(async () => {
    database = await createTestDatabase();
    app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), security: testSecurity, clock, ids: createSequentialIds("api"), log: createMemoryLogger(), ...options });
  }, 60_000);
  afterAll(async () => database?.close(), 60_000);

  const opened = () => {
    if (!app || !database) throw new Error("the order API is opened in beforeAll");
    return { app, db: database.db };
  };
  const request = async (path: string, init: RequestInit & { as?: string; role?: Role } = {}) => {
    const { as, role, headers, ...rest } = init;
    const authorization: Record<string, string> = as === undefined ? {} : { authorization: await bearerFor(as, role) };
    return opened().app.request(path, { ...rest, headers: { ...authorization, ...(headers as Record<string, string>) } });
  };
  const sendJson = (method: string, path: string, body: unknown, as?: string, headers: Record<string, string> = {}, role?: Role) =>
    request(path, { method, as, role, headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  return {
    clock,
    db: () => opened().db,
    app: () => opened().app,
    request,
    /** POST /orders as `as` (no token when null). */
    post: (body: unknown, as: string | null = "u-1", headers: Record<string, string> = {}) => sendJson("POST", "/orders", body, as ?? undefined, headers),
    /** PUT /products/{id} as staff. */
    setPrice: (productId: string, unitPrice: number, currency = "JPY") =>
      sendJson("PUT", `/products/${productId}`, { name: `the ${productId}`, unitPrice, currency }, "staff-1", {}, "staff"),
    putProduct: (productId: string, body: unknown, as?: string, role?: Role) => sendJson("PUT", `/products/${productId}`, body, as, {}, role),
  };
}
