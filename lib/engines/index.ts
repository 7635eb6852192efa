export { describeEngines, engineConfigFromEnv, openBroker, openDatabase, openIdempotencyStore, type EngineConfig } from "./engines.ts";
export { requireEngines, runServiceProcess, serve } from "./process.ts";
