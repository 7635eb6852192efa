export { describeEngines, type EngineConfig, engineConfigFromEnv, openBroker, openDatabase, openIdempotencyStore } from "./engines.ts";
export { type Listener, publicAddress, requireEngines, runServiceProcess, serve } from "./process.ts";
export { waitForDatabase } from "./wait-for-database.ts";
