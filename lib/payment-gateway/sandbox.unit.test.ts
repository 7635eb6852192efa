import { describe, expect, test } from "bun:test";
import { systemClock, uuidV7Ids } from "../clock/index.ts";
import { hasCode } from "../errors/index.ts";
import { createTestDatabase } from "../testing/index.ts";
import { paymentGatewayContract } from "./payment-gateway.contract.ts";
import { createSandboxGateway } from "./sandbox.ts";
import { sandboxFaultsFromEnv, seededRandom } from "./sandbox-faults.ts";
import { GatewayErrorCode, type PaymentGateway } from "./types.ts";

paymentGatewayContract("sandbox on PGlite", async () => {
  const database = await createTestDatabase();
  return { gateway: createSandboxGateway({ db: database.db, clock: systemClock, ids: uuidV7Ids }), cleanup: () => database.close() };
});

describe("sandbox faults (PAYMENT_SANDBOX_*)", () => {
  const charge = (orderId: string) => ({ idempotencyKey: `pay-${orderId}`, orderId, amount: 500, currency: "JPY", method: "credit_card" as const, token: "tok_visa" });
  const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

  async function faulty(env: Record<string, string>): Promise<{ gateway: PaymentGateway; honest: PaymentGateway; close(): Promise<void> }> {
    const database = await createTestDatabase();
    const deps = { db: database.db, clock: systemClock, ids: uuidV7Ids };
    return { gateway: createSandboxGateway({ ...deps, faults: sandboxFaultsFromEnv(env) }), honest: createSandboxGateway(deps), close: () => database.close() };
  }

  test("unset or zero rates: no faults; bad values are refused naming the variable", () => {
    expect(sandboxFaultsFromEnv({})).toBeUndefined();
    expect(sandboxFaultsFromEnv({ PAYMENT_SANDBOX_TIMEOUT_RATE: "0", PAYMENT_SANDBOX_SEED: "7" })).toBeUndefined();
    expect(sandboxFaultsFromEnv({ PAYMENT_SANDBOX_ERROR_RATE: "0.2", PAYMENT_SANDBOX_SEED: "7" })).toEqual({ timeoutRate: 0, errorRate: 0.2, seed: 7 });
    for (const [env, name] of [
      [{ PAYMENT_SANDBOX_TIMEOUT_RATE: "1.5" }, "PAYMENT_SANDBOX_TIMEOUT_RATE"],
      [{ PAYMENT_SANDBOX_ERROR_RATE: "often" }, "PAYMENT_SANDBOX_ERROR_RATE"],
      [{ PAYMENT_SANDBOX_ERROR_RATE: "0.6", PAYMENT_SANDBOX_TIMEOUT_RATE: "0.6" }, "at most 1"],
      [{ PAYMENT_SANDBOX_ERROR_RATE: "0.1", PAYMENT_SANDBOX_SEED: "x" }, "PAYMENT_SANDBOX_SEED"],
    ] as const) {
      expect(() => sandboxFaultsFromEnv(env)).toThrow(name);
    }
  });

  test("the same seed gives the same draws", () => {
    const [a, b] = [seededRandom(42), seededRandom(42)];
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(draws.every((draw) => draw >= 0 && draw < 1)).toBe(true);
  });

  test("an error (5xx) is retryable and nothing happened behind it", async () => {
    const { gateway, honest, close } = await faulty({ PAYMENT_SANDBOX_ERROR_RATE: "1" });
    try {
      for (const call of [gateway.charge(charge("f-5xx")), gateway.lookup("pay-f-5xx"), gateway.refund({ idempotencyKey: "r", chargeId: "ch", amount: 1 })]) {
        const failure = await failureOf(call);
        expect(hasCode(failure, GatewayErrorCode.unavailable)).toBe(true);
        expect(failure).toMatchObject({ retryable: true, status: 503 });
      }
      expect(await honest.lookup("pay-f-5xx")).toBeUndefined();
    } finally {
      await close();
    }
  }, 30_000);

  test("a timeout is retryable, and behind some the charge WAS made: a lookup by key finds those", async () => {
    const { gateway, honest, close } = await faulty({ PAYMENT_SANDBOX_TIMEOUT_RATE: "1", PAYMENT_SANDBOX_SEED: "3" });
    try {
      const orders = Array.from({ length: 24 }, (_, i) => `f-timeout-${i}`);
      for (const orderId of orders) expect(hasCode(await failureOf(gateway.charge(charge(orderId))), GatewayErrorCode.timeout)).toBe(true);
      const made = (await Promise.all(orders.map((orderId) => honest.lookup(`pay-${orderId}`)))).filter((found) => found !== undefined);
      // Half of the timeouts lose the answer, half the request: with 24 draws both kinds occur.
      expect(made.length).toBeGreaterThan(0);
      expect(made.length).toBeLessThan(orders.length);
      expect(made.every((found) => found.status === "succeeded")).toBe(true);
    } finally {
      await close();
    }
  }, 30_000);
});
