import type { GatewayFailure, RetryPolicy } from "./types.ts";

/** When the `attempt`-th retry is due: the base delay doubled for each attempt before it, capped. */
export function retryAt(now: Date, attempt: number, policy: RetryPolicy): Date {
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return new Date(now.getTime() + delay);
}

/** What a person reads of a gateway failure: its code and message. */
export const describeFailure = (failure: GatewayFailure) => `${failure.code}: ${failure.detail}`;
