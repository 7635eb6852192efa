/**
 * How the dispatcher treats a webhook's answer (docs/architecture.md#delivery-path):
 * 2xx done (processed or duplicate); 400/415/422 will never succeed, so dead-letter at once;
 * 413 the body is too large, so split the batch (a lone event that is too large never fits);
 * anything else (408, 409, 429, 5xx, no answer) may succeed later, so retry with backoff.
 */
export type Verdict = "done" | "rejected" | "too_large" | "retry";

export function classify(status: number | undefined): Verdict {
  if (status === undefined) return "retry";
  if (status >= 200 && status < 300) return "done";
  if (status === 400 || status === 415 || status === 422) return "rejected";
  if (status === 413) return "too_large";
  return "retry";
}

export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

/** Exponential backoff with full jitter (spreads retries from many partitions apart). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(Math.random() * ceiling);
}

/**
 * How long to wait before the next attempt: what a 429 or 503 asks for in `Retry-After` (the
 * receiver knows its own load best), else the backoff; never longer than `maxDelayMs`.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, status: number | undefined, retryAfter: string | null, now = Date.now()): number {
  const asked = status === 429 || status === 503 ? retryAfterMs(retryAfter, now) : undefined;
  return asked === undefined ? backoffMs(policy, attempt) : Math.min(asked, policy.maxDelayMs);
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date; undefined if neither. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
