import { expect, test } from "bun:test";
import { createMemoryLogger } from "../log/index.ts";
import { createServiceApp, maxBodyBytes } from "./service-app.ts";

test("a body over the limit is a 413 problem, and the handler never runs", async () => {
  const app = createServiceApp("test", createMemoryLogger());
  let ran = false;
  app.post("/echo", async (c) => {
    ran = true;
    return c.text(await c.req.text());
  });
  const response = await app.request("/echo", { method: "POST", body: "x".repeat(maxBodyBytes + 1) });
  expect(response.status).toBe(413);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(((await response.json()) as { code: string }).code).toBe("request.too_large");
  expect(ran).toBe(false);
  expect((await app.request("/echo", { method: "POST", body: "small" })).status).toBe(200);
});

test("health, and unknown routes as 404 problems", async () => {
  const app = createServiceApp("test", createMemoryLogger());
  expect(await (await app.request("/health")).json()).toEqual({ status: "ok", service: "test" });
  const missing = await app.request("/nope");
  expect(missing.status).toBe(404);
  expect(missing.headers.get("content-type")).toBe("application/problem+json");
});

test("an unknown error is a 500 problem, logged with the request and the error's summary, not the query's values", async () => {
  const log = createMemoryLogger();
  const app = createServiceApp("test", log);
  const cause = Object.assign(new Error('new row for relation "orders" violates check constraint "c"'), { code: "23514", detail: "Failing row contains (丸の内1-1, tok_4242)" });
  const failedQuery = Object.assign(new Error("Failed query: insert into orders values ($1, $2)\nparams: 丸の内1-1,tok_4242"), { query: "insert …", params: ["丸の内1-1", "tok_4242"], cause });
  app.post("/orders", () => {
    throw failedQuery;
  });
  const response = await app.request("/orders", { method: "POST", body: "{}" });
  expect(response.status).toBe(500);
  const lines = log.lines();
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain("丸の内");
  expect(lines[0]).not.toContain("tok_4242");
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, method: "POST", path: "/orders", error: { type: "Error ← Error", database: { code: "23514" } }, msg: "unexpected error" });
});
