import type { Hono } from "hono";
import { createServiceApp, eventWebhook } from "../../lib/http/index.ts";
import type { PaymentDeps } from "./deps.ts";
import { applyBatch } from "./handlers/apply-batch.ts";
import { chargeOrder } from "./handlers/charge-order.ts";
import { refundOrder } from "./handlers/refund-order.ts";
import { paymentRoutes } from "./routes/payments.ts";

export type { PaymentDeps };

/** Charge on order.created; refund when the stock ran out or the reservation expired. */
export const subscribes = ["com.example.order.created", "com.example.stock.insufficient", "com.example.stock.released"] as const;

/** The payment service: charges each order once, refunds when stock runs out. */
export function createApp(deps: PaymentDeps): Hono {
  const app = createServiceApp("payment", deps.log);
  app.route("/", paymentRoutes(deps));
  app.route(
    "/",
    eventWebhook({
      service: "payment",
      subscribes,
      idempotency: deps.idempotency, verify: deps.security.verifyPush,
      // order.created pushes at once (set-based); a push with anything else goes event by event.
      applyBatch: (events) => applyBatch(deps, events),
      handlers: {
        // The fast path is keyed by order, like the gateway key (docs/architecture.md#idempotency).
        "com.example.order.created": { handle: (e) => chargeOrder(deps, e), dedupKey: (e) => `payment:charge:${e.data.orderId}` },
        "com.example.stock.insufficient": { handle: (e) => refundOrder(deps, e), dedupKey: (e) => `payment:refund:${e.data.orderId}` },
        "com.example.stock.released": { handle: (e) => refundOrder(deps, e), dedupKey: (e) => `payment:refund:${e.data.orderId}` },
      },
    }),
  );
  return app;
}
