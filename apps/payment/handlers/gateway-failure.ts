import { isAppError } from "../../../lib/errors/index.ts";
import type { Logger } from "../../../lib/log/index.ts";
import type { GatewayFailure } from "../domain/types.ts";

/**
 * A failed gateway call as the decider sees it. The gateway port's errors say whether a retry may
 * succeed; anything else (a bug, a dropped connection in an adapter) may too, and is logged here
 * rather than carried into an event, whose text a person reads.
 */
export function failureOf(error: unknown, log: Logger, orderId: string): GatewayFailure {
  if (isAppError(error)) return { code: error.code, detail: error.message, retryable: error.retryable };
  log.error({ orderId, error }, "payment: the gateway call failed unexpectedly; it will be tried again");
  return { code: "gateway.error", detail: "unexpected error (see the payment log)", retryable: true };
}

/** Whether the gateway refused a request for good: then nothing happened under it, and asking again is pointless. */
export function isRefusal(error: unknown): boolean {
  return isAppError(error) && !error.retryable;
}
