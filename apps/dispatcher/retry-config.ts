import { AppError } from "../../lib/errors/index.ts";
import type { RetryPolicy } from "./classify.ts";

/** The dispatcher's defaults: about ten minutes of retries before a retryable failure is dead-lettered. */
export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 30, baseDelayMs: 100, maxDelayMs: 30_000 };

const settings = { maxAttempts: "MAX_ATTEMPTS", baseDelayMs: "RETRY_BASE_MS", maxDelayMs: "RETRY_MAX_MS" } as const satisfies Record<keyof RetryPolicy, string>;

/**
 * A subscription's retry policy from the environment: `DISPATCH_<SETTING>` for every subscription,
 * `DISPATCH_<SERVICE>_<SETTING>` for one (e.g. `DISPATCH_NOTIFICATION_MAX_ATTEMPTS=1000`: an email
 * provider's outage should not fill dead-letters). Each a positive whole number.
 */
export function retryPolicyFromEnv(env: Record<string, string | undefined>, service?: string): RetryPolicy {
  const policy = { ...defaultRetryPolicy };
  for (const [field, setting] of Object.entries(settings) as [keyof RetryPolicy, string][]) {
    for (const name of [`DISPATCH_${setting}`, ...(service ? [`DISPATCH_${service.toUpperCase()}_${setting}`] : [])]) {
      const raw = env[name];
      if (raw === undefined || raw === "") continue;
      const value = Number(raw);
      if (!Number.isInteger(value) || value <= 0) {
        throw new AppError("config.invalid", `${name} must be a positive whole number, not ${JSON.stringify(raw)}`, { issues: [{ field: name, message: "a positive whole number" }] });
      }
      policy[field] = value;
    }
  }
  return policy;
}
