export { sandboxLedgerRoutes } from "./ledger-routes.ts";
export { gatewayCharges, gatewayRefunds } from "./sandbox-schema.ts";
export { createSandboxGateway } from "./sandbox.ts";
export { type Charge, type PaymentGateway, type Refund } from "./types.ts";
