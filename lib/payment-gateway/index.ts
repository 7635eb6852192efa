export { sandboxLedgerRoutes } from "./ledger-routes.ts";
export { type SandboxFaults, sandboxFaultsFromEnv, withFaults } from "./sandbox-faults.ts";
export { gatewayCharges, gatewayRefunds } from "./sandbox-schema.ts";
export { createSandboxGateway } from "./sandbox.ts";
export { type Charge, GatewayErrorCode, type PaymentGateway, type Refund, testTokens } from "./types.ts";
