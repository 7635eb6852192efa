import type { PaymentMethod } from "../events/index.ts";

/**
 * The payment gateway port, shaped like a card processor's API (Stripe, PAY.JP): every call
 * carries an idempotency key, the same key returns the same result and never charges twice, and a
 * call that timed out may still have happened. Adapters: `sandbox.ts`; a provider later.
 */
export type ChargeRequest = {
  idempotencyKey: string;
  orderId: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  token?: string;
};

export type Charge = {
  chargeId: string;
  orderId: string;
  amount: number;
  currency: string;
  status: "succeeded" | "declined";
  declineCode?: string;
  transactionId?: string;
};

export type RefundRequest = { idempotencyKey: string; chargeId: string; amount: number };
export type Refund = { refundId: string; chargeId: string; amount: number };

export type PaymentGateway = {
  charge(request: ChargeRequest): Promise<Charge>;
  refund(request: RefundRequest): Promise<Refund>;
  /**
   * What happened to the charge asked for under `idempotencyKey`, without asking for it again
   * (Stripe's and PAY.JP's "retrieve"): the charge, or undefined when none was ever made under it.
   * How a payment whose charge call got no answer is settled (apps/payment's reconciler).
   */
  lookup(idempotencyKey: string): Promise<Charge | undefined>;
};

/**
 * A gateway error's code. Retryable errors carry `retryable: true` (AppError): the call may be made
 * again with the same key. Any other answer is terminal for that request: on a charge it means
 * nothing was charged under it, except `idempotencyMismatch` (the key names another charge).
 */
export const GatewayErrorCode = {
  /** Retryable: the call may or may not have happened; retry with the SAME idempotency key. */
  timeout: "gateway.timeout",
  /** Retryable: the processor refused the call before doing anything (a 5xx); retry later. */
  unavailable: "gateway.unavailable",
  /** Terminal: the key was used for a different request. */
  idempotencyMismatch: "gateway.idempotency_mismatch",
  refundExceedsCharge: "gateway.refund_exceeds_charge",
  unknownCharge: "gateway.unknown_charge",
} as const;

/**
 * Sandbox test tokens, as card processors document theirs: `tok_declined` is declined; with
 * `tok_timeout` the first charge call is made and its answer lost (a retry finds it); with
 * `tok_lost_answer` every charge call is made and its answer lost, so only a lookup by key tells.
 */
export const testTokens = { declined: "tok_declined", timeout: "tok_timeout", lostAnswer: "tok_lost_answer" } as const;
