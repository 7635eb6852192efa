import { expect, test } from "bun:test";
import { defaultRetryPolicy, retryPolicyFromEnv } from "./retry-config.ts";

test("defaults, then the settings for every subscription, then those of one service", () => {
  expect(retryPolicyFromEnv({})).toEqual(defaultRetryPolicy);
  const env = { DISPATCH_MAX_ATTEMPTS: "10", DISPATCH_RETRY_MAX_MS: "5000", DISPATCH_NOTIFICATION_MAX_ATTEMPTS: "1000" };
  expect(retryPolicyFromEnv(env, "payment")).toEqual({ maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5_000 });
  expect(retryPolicyFromEnv(env, "notification")).toEqual({ maxAttempts: 1_000, baseDelayMs: 100, maxDelayMs: 5_000 });
});

test.each(["0", "-1", "2.5", "ten"])("%p is refused, naming the setting", (raw) => {
  expect(() => retryPolicyFromEnv({ DISPATCH_PAYMENT_RETRY_BASE_MS: raw }, "payment")).toThrow("DISPATCH_PAYMENT_RETRY_BASE_MS must be a positive whole number");
});
