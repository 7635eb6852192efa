import { findErrorBy, NetworkError } from "@platformatic/kafka";
import { AppError } from "../errors/index.ts";
import { BrokerErrorCode } from "./types.ts";

/** Codes only the Kafka adapter raises; the port's own codes are in `BrokerErrorCode`. */
export const KafkaErrorCode = {
  publishFailed: "broker.publish_failed",
  ensureTopicsFailed: "broker.ensure_topics_failed",
  subscribeFailed: "broker.subscribe_failed",
  consumeFailed: "broker.consume_failed",
  resetGroupFailed: "broker.reset_group_failed",
  readFailed: "broker.read_failed",
} as const;

/** True when the library's error (or one it wraps) carries the Kafka protocol error `apiId`. */
export function hasKafkaError(error: unknown, apiId: string): boolean {
  return error instanceof Error && findErrorBy(error, "apiId", apiId) !== null;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (NetworkError.isRetryable(error)) return true;
  return findErrorBy(error, "canRetry", true) !== null;
}

/**
 * Wraps a client error in an AppError with `code`, keeping the original as `cause`. A missing topic
 * gets the port's `broker.unknown_topic` whatever the operation, since callers handle it alike.
 */
export function toAppError(error: unknown, code: string, message: string): AppError {
  if (error instanceof AppError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (hasKafkaError(error, "UNKNOWN_TOPIC_OR_PARTITION") || /topic .*not available|unknown topic/i.test(detail)) {
    return new AppError(BrokerErrorCode.unknownTopic, `${message}: unknown topic (${detail})`, { cause: error });
  }
  return new AppError(code, `${message}: ${detail}`, { cause: error, retryable: isRetryable(error), status: 503 });
}

export function closedError(what: string): AppError {
  return new AppError(BrokerErrorCode.closed, `${what}: the Kafka broker client is closed`, { status: 503 });
}
