import type { AttentionReason } from "../../../lib/events/index.ts";
import type { Fulfilment, PaymentCompleted, PaymentEscalated, PaymentFailed, PaymentIntent, PaymentRefunded, RefundReason } from "./types.ts";

/** The events other services receive, built from the intent they concern. */

const baseOf = ({ paymentId, orderId, userId, amount, currency }: PaymentIntent) => ({ paymentId, orderId, userId, amount, currency });

export function completed(intent: PaymentIntent, fulfilment: Fulfilment, charge: { chargeId: string; transactionId: string }, at: Date): PaymentCompleted {
  const data = { ...baseOf(intent), method: intent.method, transactionId: charge.transactionId, ...fulfilment };
  return { type: "com.example.payment.completed", data, chargeId: charge.chargeId, at };
}

export function failed(intent: PaymentIntent, code: string, charge: Pick<PaymentFailed, "chargeId" | "transactionId" | "declineCode">, at: Date): PaymentFailed {
  return { type: "com.example.payment.failed", data: { ...baseOf(intent), method: intent.method, code }, ...charge, at };
}

export function refunded(intent: PaymentIntent, refundId: string, reason: RefundReason, at: Date): PaymentRefunded {
  return { type: "com.example.payment.refunded", data: { ...baseOf(intent), refundId, reason }, at };
}

export function escalated(intent: PaymentIntent, reason: AttentionReason, detail: string, at: Date): PaymentEscalated {
  return { type: "com.example.payment.escalated", data: { ...baseOf(intent), reason, detail: plainLine(detail) }, at };
}

const maxDetail = 300;
const unsafe = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

/** A gateway's message as one line of the event's text rules (lib/events/text.ts), cut by code point. */
export function plainLine(text: string): string {
  const cleaned = Array.from(text.replace(unsafe, " ").replace(/\s+/g, " ").trim()).slice(0, maxDetail).join("");
  return cleaned === "" ? "no detail" : cleaned;
}
