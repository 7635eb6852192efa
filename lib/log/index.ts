export { createLogger, createMemoryLogger, escapeUnsafe, type Logger, type LoggerOptions, redactedPaths } from "./logger.ts";
