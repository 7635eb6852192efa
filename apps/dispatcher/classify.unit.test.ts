import { expect, test } from "bun:test";
import { backoffMs, classify, retryAfterMs, retryDelayMs } from "./classify.ts";

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

test("413 splits; 400/415/422 are refusals; the rest is retried", () => {
  expect(classify(413)).toBe("too_large");
  expect([400, 415, 422].map(classify)).toEqual(["rejected", "rejected", "rejected"]);
  expect([undefined, 408, 429, 500, 503].map(classify)).toEqual(["retry", "retry", "retry", "retry", "retry"]);
});

test("Retry-After reads seconds or an HTTP date, nothing else", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  expect(retryAfterMs("120", now)).toBe(120_000);
  expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
  expect(retryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
  expect(retryAfterMs("soon", now)).toBeUndefined();
  expect(retryAfterMs(null, now)).toBeUndefined();
});

test("Retry-After counts on 429 and 503 only, capped by maxDelayMs", () => {
  expect(retryDelayMs(policy, 0, 429, "0")).toBe(0);
  expect(retryDelayMs(policy, 0, 503, "60")).toBe(1_000);
  expect(retryDelayMs(policy, 0, 500, "60")).toBeLessThanOrEqual(100);
});

test("full jitter: between 0 and the capped exponential ceiling", () => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const wait = backoffMs(policy, attempt);
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThanOrEqual(Math.min(1_000, 100 * 2 ** attempt));
  }
});
