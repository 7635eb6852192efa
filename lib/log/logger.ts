import pino, { type DestinationStream, type Logger as PinoLogger } from "pino";
import { errorSummary } from "./error-summary.ts";

/** The logging port: pino's interface (structured: an object of fields, then a message). */
export type Logger = Pick<PinoLogger, "info" | "warn" | "error" | "debug" | "child">;

/**
 * What must never reach a log line even if a caller passes it by mistake: tokens, card tokens,
 * addresses, request bodies and whole events (an error names the event's id, type and the failing
 * field instead). pino's redact runs on the object before it is serialised.
 */
export const redactedPaths = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "token",
  "*.token",
  "payment.token",
  "*.payment.token",
  "shippingAddress",
  "*.shippingAddress",
  "*.*.shippingAddress",
  "body",
  "*.body",
  "event.data",
  "*.event.data",
];

/**
 * JSON escapes C0 controls but leaves C1 controls, bidi overrides and line separators as they are:
 * a customer's "u\u009b31mRED\u202eevil" would still repaint a terminal or reorder a log viewer.
 * Every such character is written as a \u escape (still valid JSON).
 */
const unsafe = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
export function escapeUnsafe(line: string): string {
  return line.replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export type LoggerOptions = {
  /** The process or component, on every line (`name`). */
  name: string;
  /** LOG_LEVEL: trace, debug, info (default), warn, error, silent. */
  level?: string;
  /** Where lines go; stdout by default (tests pass a stream of their own). */
  destination?: DestinationStream;
};

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? "info",
      redact: { paths: redactedPaths, censor: "[redacted]" },
      hooks: { streamWrite: escapeUnsafe },
      // pino's own error serializer writes the message of every cause: a failed query's parameters.
      serializers: { err: safeError, error: safeError },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** An Error becomes its summary (lib/log/error-summary.ts); anything else is logged as it is. */
function safeError(value: unknown): unknown {
  return value instanceof Error ? errorSummary(value) : value;
}

/** A logger that keeps its lines in memory, for tests that check what was (not) logged. */
export function createMemoryLogger(name = "test"): Logger & { lines(): string[] } {
  const lines: string[] = [];
  const logger = createLogger({ name, level: "debug", destination: { write: (line: string) => void lines.push(line) } });
  return Object.assign(logger, { lines: () => lines });
}
