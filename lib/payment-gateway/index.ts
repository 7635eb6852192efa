export { sandboxLedgerRoutes } from "./ledger-routes.ts";
export { gatewayCharges, gatewayRefunds } from "./sandbox-schema.ts";
export { createSandboxGateway } from "./sandbox.ts";
export type { Charge, PaymentGateway, Refund } from "./types.ts";
