import type { Deliver } from "./dispatcher.ts";

export type HttpDeliverOptions = {
  /** Base URL of each service, e.g. `http://payment:3002`. */
  urlOf: (service: string) => string;
  /** How long one delivery may take before it is abandoned and retried. */
  timeoutMs: number;
};

/**
 * Delivers a webhook request to the service's own process over HTTP. The request is aborted after
 * `timeoutMs`: a hung service then counts as "no answer", which the dispatcher retries with backoff
 * (docs/architecture.md#delivery-path) instead of holding the partition forever. An abandoned
 * request may still complete on the service; the redelivery is then a duplicate, answered 2xx.
 */
export function createHttpDeliver(options: HttpDeliverOptions): Deliver {
  const { urlOf, timeoutMs } = options;
  return async (service, request, abandon) => {
    const { pathname, search } = new URL(request.url);
    const target = `${urlOf(service).replace(/\/+$/, "")}${pathname}${search}`;
    // A revoked partition abandons its deliveries at once: the next owner sends them again.
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(new Request(target, request), { signal: abandon ? AbortSignal.any([abandon, timeout]) : timeout });
  };
}
