export { describeEngines, type EngineConfig, engineConfigFromEnv, openBroker, openDatabase, openIdempotencyStore } from "./engines.ts";
export { requireEngines, runServiceProcess, serve } from "./process.ts";
