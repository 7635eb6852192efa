import { Hono } from "hono";
import { systemClock, uuidV7Ids } from "../../lib/clock/system.ts";
import { runServiceProcess } from "../../lib/engines/process.ts";
import { notFound, onError } from "../../lib/http/problem.ts";
import { sandboxLedgerRoutes } from "../../lib/payment-gateway/ledger-routes.ts";
import { createSandboxGateway } from "../../lib/payment-gateway/sandbox.ts";
import { createApp } from "./app.ts";

// Composition root of the payment process (`bun run start payment`): the only place that reads the environment.
if ((process.env.PAYMENT_GATEWAY || "sandbox") !== "sandbox") {
  console.error(`payment: PAYMENT_GATEWAY "${process.env.PAYMENT_GATEWAY}" is unknown; only "sandbox" exists so far`);
  process.exit(1);
}
await runServiceProcess("payment", process.env, ({ database, idempotency }) => {
  const gateway = createSandboxGateway({ db: database.db, clock: systemClock, ids: uuidV7Ids });
  // The sandbox's ledger (GET /gateway/charges) is served beside the payment service that owns it.
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);
  app.route("/", createApp({ db: database.db, idempotency, gateway, clock: systemClock, ids: uuidV7Ids }));
  app.route("/", sandboxLedgerRoutes(database.db));
  return app;
});
