/**
 * How the dispatcher treats a webhook's answer (docs/architecture.md#delivery-path):
 * 2xx done (processed or duplicate); 400/415/422 will never succeed, so dead-letter at once;
 * anything else (408, 409, 429, 5xx, no answer) may succeed later, so retry with backoff.
 */
export type Verdict = "done" | "rejected" | "retry";

export function classify(status: number | undefined): Verdict {
  if (status === undefined) return "retry";
  if (status >= 200 && status < 300) return "done";
  if (status === 400 || status === 415 || status === 422) return "rejected";
  return "retry";
}

export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

/** Exponential backoff with full jitter (spreads retries from many partitions apart). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
