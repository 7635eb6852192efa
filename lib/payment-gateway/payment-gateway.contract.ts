import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { GatewayErrorCode, type ChargeRequest, type PaymentGateway } from "./types.ts";

/**
 * What the payment service relies on from any gateway: idempotency keys, declines, timeouts that
 * may have charged, refunds that cannot exceed the charge, and a lookup by key that tells what
 * happened to a charge whose answer was lost.
 */
export function paymentGatewayContract(label: string, open: () => Promise<{ gateway: PaymentGateway; cleanup(): Promise<void> }>) {
  describe(`payment gateway contract: ${label}`, () => {
    let gateway: PaymentGateway;
    let cleanup: () => Promise<void>;
    beforeAll(async () => ({ gateway, cleanup } = await open()), 60_000);
    afterAll(() => cleanup(), 60_000);

    const request = (overrides: Partial<ChargeRequest> = {}): ChargeRequest => {
      const orderId = crypto.randomUUID();
      return { idempotencyKey: `pay-${orderId}`, orderId, amount: 1200, currency: "JPY", method: "credit_card", token: "tok_visa", ...overrides };
    };

    test("a charge succeeds; the same key returns the same charge, never a second one", async () => {
      const charge = request();
      const [a, b, c] = await Promise.all([gateway.charge(charge), gateway.charge(charge), gateway.charge(charge)]);
      expect(a.status).toBe("succeeded");
      expect(b.chargeId).toBe(a.chargeId);
      expect(c.chargeId).toBe(a.chargeId);
      expect(a.transactionId).toBeString();
    });

    test("tok_declined is declined with a code", async () => {
      const result = await gateway.charge(request({ token: "tok_declined" }));
      expect(result).toMatchObject({ status: "declined", declineCode: "card_declined" });
    });

    test("tok_timeout times out (retryable) but charged: a retry with the key finds that charge", async () => {
      const charge = request({ token: "tok_timeout" });
      const failure = await gateway.charge(charge).then(() => undefined, (error: unknown) => error);
      expect(hasCode(failure, GatewayErrorCode.timeout)).toBe(true);
      const retried = await gateway.charge(charge);
      const again = await gateway.charge(charge);
      expect(retried.status).toBe("succeeded");
      expect(again.chargeId).toBe(retried.chargeId);
    });

    test("lookup by key: the charge made under it, as the charge call answered it", async () => {
      const charge = request();
      const made = await gateway.charge(charge);
      expect(await gateway.lookup(charge.idempotencyKey)).toEqual(made);
      const declined = request({ token: "tok_declined" });
      // Looking up makes nothing: before the charge call there is no charge, after it the decline.
      expect(await gateway.lookup(declined.idempotencyKey)).toBeUndefined();
      expect(await gateway.charge(declined)).toMatchObject({ status: "declined" });
      expect(await gateway.lookup(declined.idempotencyKey)).toMatchObject({ status: "declined", declineCode: "card_declined" });
    });

    test("lookup finds a charge whose every answer was lost (tok_lost_answer), and makes none itself", async () => {
      const charge = request({ token: "tok_lost_answer" });
      for (let call = 0; call < 2; call++) {
        const failure = await gateway.charge(charge).then(() => undefined, (error: unknown) => error);
        expect(hasCode(failure, GatewayErrorCode.timeout)).toBe(true);
      }
      const found = await gateway.lookup(charge.idempotencyKey);
      expect(found).toMatchObject({ status: "succeeded", orderId: charge.orderId, amount: 1200 });
      expect((await gateway.lookup(charge.idempotencyKey))?.chargeId).toBe(found!.chargeId);
      expect(await gateway.lookup(`pay-${crypto.randomUUID()}`)).toBeUndefined();
    });

    test("many charges at once are each answered as if alone: declines, timeouts, reused keys and repeats", async () => {
      const repeated = request();
      const reused = request();
      const calls = [
        request(),
        repeated,
        request({ token: "tok_declined" }),
        request({ token: "tok_timeout" }),
        reused,
        { ...reused, amount: reused.amount + 1 },
        repeated,
        request(),
      ];
      const answers = await Promise.allSettled(calls.map((call) => gateway.charge(call)));
      const value = (i: number) => (answers[i]!.status === "fulfilled" ? (answers[i] as PromiseFulfilledResult<Awaited<ReturnType<PaymentGateway["charge"]>>>).value : undefined);
      const error = (i: number) => (answers[i]!.status === "rejected" ? (answers[i] as PromiseRejectedResult).reason : undefined);
      expect([0, 1, 6, 7].map((i) => value(i)?.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
      expect(value(6)?.chargeId).toBe(value(1)!.chargeId);
      expect(value(2)?.status).toBe("declined");
      expect(hasCode(error(3), GatewayErrorCode.timeout)).toBe(true);
      expect((await gateway.lookup(calls[3]!.idempotencyKey))?.status).toBe("succeeded");
      // The first of two calls under one key wins; the other, with another amount, is refused.
      expect([value(4)?.amount, hasCode(error(5), GatewayErrorCode.idempotencyMismatch)]).toEqual([reused.amount, true]);
      expect(new Set([0, 1, 2, 7].map((i) => value(i)?.chargeId)).size).toBe(4);
    });

    test("a key reused for another amount is refused", async () => {
      const charge = request();
      await gateway.charge(charge);
      const failure = await gateway.charge({ ...charge, amount: 1 }).then(() => undefined, (error: unknown) => error);
      expect(hasCode(failure, GatewayErrorCode.idempotencyMismatch)).toBe(true);
    });

    test("a refund is idempotent by key and cannot exceed the charge", async () => {
      const { chargeId, amount } = await gateway.charge(request());
      const key = `refund-${chargeId}`;
      const [r1, r2] = await Promise.all([gateway.refund({ idempotencyKey: key, chargeId, amount }), gateway.refund({ idempotencyKey: key, chargeId, amount })]);
      expect(r2.refundId).toBe(r1.refundId);
      const failure = await gateway.refund({ idempotencyKey: `${key}-2`, chargeId, amount: 1 }).then(() => undefined, (error: unknown) => error);
      expect(hasCode(failure, GatewayErrorCode.refundExceedsCharge)).toBe(true);
    });
  });
}
