import { AppError } from "../../lib/errors/index.ts";
import type { RetryPolicy } from "./domain/types.ts";

/**
 * How payment finishes what the gateway left open (handlers/reconcile.ts). A charging payment
 * nobody has touched for `staleAfterMs` is looked up at the gateway by its key, and retried after
 * `lookup` backoff while the gateway cannot tell; a refund that failed is retried after `refund`
 * backoff. Past `maxAttempts` the payment needs a person's attention.
 */
export type RecoveryPolicy = {
  /**
   * How long a payment is left to whoever took it (a delivery calling the gateway, or a
   * reconciler) before the reconciler takes it up. Keep it well above the gateway's own call
   * timeout: a charge call still under way when the lookup says "no charge" would charge a failed
   * payment.
   */
  staleAfterMs: number;
  lookup: RetryPolicy;
  refund: RetryPolicy;
};

const minute = 60_000;

export function recoveryPolicy(options: { staleAfterMs?: number; lookupAttempts?: number; refundAttempts?: number; refundBackoffMs?: number } = {}): RecoveryPolicy {
  const staleAfterMs = options.staleAfterMs ?? 2 * minute;
  const refundBackoffMs = options.refundBackoffMs ?? 30_000;
  return {
    staleAfterMs,
    // 2, 4, 8, 16 minutes apart by default: about half an hour of asking before a person is told.
    lookup: { maxAttempts: options.lookupAttempts ?? 5, baseDelayMs: staleAfterMs, maxDelayMs: 16 * staleAfterMs },
    // 30 s doubling, at most 30 minutes apart: about an hour of attempts by default.
    refund: { maxAttempts: options.refundAttempts ?? 8, baseDelayMs: refundBackoffMs, maxDelayMs: Math.max(refundBackoffMs, 30 * minute) },
  };
}

type Env = Record<string, string | undefined>;

/** The payment service's settings for it (docs/operations.md, "Stranded orders"). */
export function recoveryFromEnv(env: Env): { policy: RecoveryPolicy; reconcileEveryMs: number } {
  return {
    policy: recoveryPolicy({
      staleAfterMs: whole(env, "PAYMENT_STALE_AFTER_MS", 1),
      lookupAttempts: whole(env, "PAYMENT_LOOKUP_ATTEMPTS", 1),
      refundAttempts: whole(env, "PAYMENT_REFUND_ATTEMPTS", 1),
      refundBackoffMs: whole(env, "PAYMENT_REFUND_BACKOFF_MS", 1),
    }),
    reconcileEveryMs: whole(env, "PAYMENT_RECONCILE_MS", 0) ?? 30_000,
  };
}

function whole(env: Env, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new AppError("config.invalid", `${name} must be a whole number ≥ ${min}, not "${text}"`);
  return value;
}
