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
};

export const GatewayErrorCode = {
  /** Retryable: the charge may or may not have happened; retry with the SAME idempotency key. */
  timeout: "gateway.timeout",
  /** Terminal: the key was used for a different request. */
  idempotencyMismatch: "gateway.idempotency_mismatch",
  refundExceedsCharge: "gateway.refund_exceeds_charge",
  unknownCharge: "gateway.unknown_charge",
} as const;

/** Sandbox test tokens, as card processors document theirs. */
export const testTokens = { declined: "tok_declined", timeout: "tok_timeout" } as const;
