import { expect, test } from "bun:test";
import { createServiceApp, maxBodyBytes } from "./service-app.ts";

test("a body over the limit is a 413 problem, and the handler never runs", async () => {
  const app = createServiceApp("test");
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
  const app = createServiceApp("test");
  expect(await (await app.request("/health")).json()).toEqual({ status: "ok", service: "test" });
  const missing = await app.request("/nope");
  expect(missing.status).toBe(404);
  expect(missing.headers.get("content-type")).toBe("application/problem+json");
});
