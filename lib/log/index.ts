export { errorSummary, type ErrorSummary } from "./error-summary.ts";
export { eventFields } from "./event-fields.ts";
export { createLogger, createMemoryLogger, escapeUnsafe, type Logger, type LoggerOptions, redactedPaths } from "./logger.ts";
