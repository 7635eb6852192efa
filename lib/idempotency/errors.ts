import { AppError } from "../errors/index.ts";

/**
 * Any failure to reach the store (refused, timed out, dropped, rejected by the server). Retryable,
 * and `withFallback` turns it into "proceed on database constraints alone".
 */
export function unavailable(operation: string, cause: unknown): AppError {
  return new AppError("idempotency.unavailable", `idempotency store unavailable: ${operation} failed`, {
    status: 503,
    retryable: true,
    cause,
  });
}

/** Checked before any I/O so every adapter rejects the same inputs (Redis would reject `PX 0` or `PX 1.5`). */
export function assertTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new AppError("idempotency.invalid_ttl", `TTL must be a positive whole number of milliseconds, got ${ttlMs}`, {
      issues: [{ field: "ttlMs", message: "must be a positive integer" }],
    });
  }
}

export function closedError(): AppError {
  return new AppError("idempotency.closed", "idempotency store used after close()");
}
