import type { AttentionReason, CancellationReason, DataOf, PaymentMethod, ShippingAddress } from "../../../lib/events/index.ts";
import type { Charge, Refund } from "../../../lib/payment-gateway/index.ts";

/** What payment.completed hands on to inventory and shipping (docs/architecture.md#events-and-topics). */
export type Fulfilment = { items: Array<{ productId: string; quantity: number }>; shippingAddress: ShippingAddress };

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
  /**
   * Kept with the intent so that a charge settled without its order.created (by the reconciler,
   * after a lookup) still completes with what inventory and shipping need. Null on payments
   * recorded before it was kept.
   */
  fulfilment: Fulfilment | null;
};

export type RefundReason = Extract<CancellationReason, "out_of_stock" | "reservation_expired">;

/** A refund asked for and not yet confirmed by the gateway: retried until it is, or escalated. */
export type PendingRefund = { idempotencyKey: string; reason: RefundReason; attempts: number };

/** One order's payment, as the decider needs it. */
export type PaymentState =
  | { status: "none" }
  | { status: "charging"; intent: PaymentIntent; lookups: number }
  | { status: "completed"; intent: PaymentIntent; chargeId: string }
  | { status: "failed"; intent: PaymentIntent }
  | { status: "refunding"; intent: PaymentIntent; chargeId: string; refund: PendingRefund }
  | { status: "refunded"; intent: PaymentIntent }
  | { status: "needs_attention"; intent: PaymentIntent; reason: AttentionReason };

/** How often a step the gateway did not settle is tried again, and how many times at most. */
export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

/** A gateway error, as the decider needs it: its code and message, and whether a retry may succeed. */
export type GatewayFailure = { code: string; detail: string; retryable: boolean };

type OrderData = DataOf<"com.example.order.created">;

/** What reaches the decider: events other services published, the gateway's answers, and time. */
export type PaymentInput =
  | { type: "OrderCreated"; order: OrderData; paymentId: string; now: Date }
  | { type: "ChargeAnswered"; charge: Charge; now: Date }
  | { type: "ChargeRefused"; failure: GatewayFailure; now: Date }
  | { type: "ChargeNotFound"; now: Date }
  | { type: "LookupFailed"; failure: GatewayFailure; policy: RetryPolicy; now: Date }
  | { type: "StockInsufficient"; orderId: string; now: Date }
  | { type: "StockReleased"; orderId: string; now: Date }
  | { type: "RefundAnswered"; refund: Refund; now: Date }
  | { type: "RefundFailed"; failure: GatewayFailure; policy: RetryPolicy; now: Date };

/** Internal: ask the gateway for the charge. The token travels to the gateway only, never to a row. */
export type ChargeRequested = { type: "ChargeRequested"; intent: PaymentIntent; token?: string; at: Date };
/** Internal: the gateway could not say what became of the charge; look again at `retryAt`. */
export type LookupDeferred = { type: "LookupDeferred"; lookups: number; lastError: string; retryAt: Date; at: Date };
/** Internal: give the charge back, under the fixed key `refund-{orderId}`; recorded before the call. */
export type RefundRequested = { type: "RefundRequested"; idempotencyKey: string; chargeId: string; amount: number; reason: RefundReason; at: Date };
/** Internal: the refund failed and may succeed later; try again at `retryAt`. */
export type RefundDeferred = { type: "RefundDeferred"; attempts: number; lastError: string; retryAt: Date; at: Date };

type PublishedType = "com.example.payment.completed" | "com.example.payment.failed" | "com.example.payment.refunded" | "com.example.payment.escalated";

/** Published events carry the catalogue's `data`, plus what only the payment row keeps. */
type Published<T extends PublishedType> = { type: T; data: DataOf<T>; at: Date };
export type PaymentCompleted = Published<"com.example.payment.completed"> & { chargeId: string };
/** `chargeId` is null when the gateway refused the request and made no charge. */
export type PaymentFailed = Published<"com.example.payment.failed"> & { chargeId: string | null; transactionId: string | null; declineCode: string | null };
export type PaymentRefunded = Published<"com.example.payment.refunded">;
export type PaymentEscalated = Published<"com.example.payment.escalated">;

export type PublishedPaymentEvent = PaymentCompleted | PaymentFailed | PaymentRefunded | PaymentEscalated;
export type PaymentEvent = ChargeRequested | LookupDeferred | RefundRequested | RefundDeferred | PublishedPaymentEvent;
