import type { CancellationReason, DataOf, PaymentMethod } from "../../../lib/events/index.ts";
import type { Charge, Refund } from "../../../lib/payment-gateway/index.ts";

/** What is known of an order's payment before money moves; stored with its key before the charge. */
export type PaymentIntent = {
  paymentId: string;
  orderId: string;
  userId: string;
  /** The gateway's key, fixed per order (`pay-{orderId}`): a retry finds the same charge. */
  idempotencyKey: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
};

/** One order's payment, as the decider needs it. */
export type PaymentState =
  | { status: "none" }
  | { status: "charging"; intent: PaymentIntent }
  | { status: "completed"; intent: PaymentIntent; chargeId: string }
  | { status: "failed"; intent: PaymentIntent }
  | { status: "refunded"; intent: PaymentIntent };

export type RefundReason = Extract<CancellationReason, "out_of_stock" | "reservation_expired">;
type OrderData = DataOf<"com.example.order.created">;

/** What reaches the decider: events other services published, and the gateway's answers. */
export type PaymentInput =
  | { type: "OrderCreated"; order: OrderData; paymentId: string; now: Date }
  | { type: "ChargeAnswered"; order: OrderData; charge: Charge; now: Date }
  | { type: "StockInsufficient"; orderId: string }
  | { type: "StockReleased"; orderId: string }
  | { type: "RefundAnswered"; refund: Refund; reason: RefundReason; now: Date };

/** Internal: ask the gateway for the charge. The token travels to the gateway only, never to a row. */
export type ChargeRequested = { type: "ChargeRequested"; intent: PaymentIntent; token?: string; at: Date };
/** Internal: ask the gateway to give the charge back, under the fixed key `refund-{orderId}`. */
export type RefundRequested = { type: "RefundRequested"; idempotencyKey: string; chargeId: string; amount: number; reason: RefundReason };

/** Published events carry the catalogue's `data`, plus what only the payment row keeps. */
type Published<T extends "com.example.payment.completed" | "com.example.payment.failed" | "com.example.payment.refunded"> = {
  type: T;
  data: DataOf<T>;
  at: Date;
};
export type PaymentCompleted = Published<"com.example.payment.completed"> & { chargeId: string };
export type PaymentFailed = Published<"com.example.payment.failed"> & { chargeId: string; transactionId: string | null; declineCode: string | null };
export type PaymentRefunded = Published<"com.example.payment.refunded">;

export type PublishedPaymentEvent = PaymentCompleted | PaymentFailed | PaymentRefunded;
export type PaymentEvent = ChargeRequested | RefundRequested | PublishedPaymentEvent;
