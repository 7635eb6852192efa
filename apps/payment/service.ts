import { AppError } from "../../lib/errors/index.ts";
import { createSandboxGateway, sandboxFaultsFromEnv, sandboxLedgerRoutes } from "../../lib/payment-gateway/index.ts";
import { defineService } from "../../lib/service/index.ts";
import { createApp, subscribes } from "./app.ts";
import { startReconciler } from "./handlers/reconcile.ts";
import { recoveryFromEnv } from "./recovery.ts";
import { customerOfOrder } from "./store/payments.ts";
import { outbox, schema } from "./store/schema.ts";

export const payment = defineService({
  name: "payment",
  port: 3020,
  schema,
  subscribes,
  outbox,
  create: ({ database, idempotency, security, clock, ids, env, log }) => {
    if ((env.PAYMENT_GATEWAY || "sandbox") !== "sandbox") {
      throw new AppError("config.invalid", `PAYMENT_GATEWAY "${env.PAYMENT_GATEWAY}" is unknown; only "sandbox" exists so far`);
    }
    const gateway = createSandboxGateway({ db: database.db, clock, ids, faults: sandboxFaultsFromEnv(env) });
    const { policy, reconcileEveryMs } = recoveryFromEnv(env);
    const deps = { db: database.db, idempotency, security, gateway, clock, ids, log, recovery: policy };
    const app = createApp(deps);
    // The sandbox's ledger (GET /gateway/charges) is served beside the payment service that owns it,
    // to the order's customer as payment's own row names them.
    app.route("/", sandboxLedgerRoutes(database.db, { verifyToken: security.verifyToken, customerOf: (orderId) => customerOfOrder(database.db, orderId) }));
    let stopReconciler = async () => {};
    return {
      app,
      // Every payment process reconciles; SKIP LOCKED and the fence keep them off each other's payments.
      start: () => {
        if (reconcileEveryMs > 0) stopReconciler = startReconciler(deps, reconcileEveryMs);
      },
      stop: () => stopReconciler(),
    };
  },
});
