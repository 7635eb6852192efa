import { AppError } from "../errors/index.ts";
import type { WebhookVerifier } from "../security/index.ts";

/** More events than this in one push is refused (413): it would hold a connection for seconds. */
export const maxEventsPerPush = 500;

/**
 * Checks a push's Standard Webhooks signature BEFORE anything parses its body (401 otherwise) and
 * returns a request that can be read again. The body is already bounded by the service frame's
 * body limit.
 */
export async function verifiedPush(request: Request, verify: WebhookVerifier): Promise<Request> {
  const body = await request.arrayBuffer();
  // Standard Webhooks signs the body as text; a body that is not UTF-8 fails the signature.
  verify(request.headers, new TextDecoder().decode(body));
  return new Request(request.url, { method: request.method, headers: request.headers, body });
}

export function assertPushSize(count: number): void {
  if (count > maxEventsPerPush) {
    throw new AppError("request.too_many_events", `a push may carry at most ${maxEventsPerPush} events, this one has ${count}`, {
      status: 413,
      issues: [{ field: "body", message: `at most ${maxEventsPerPush} events per request` }],
    });
  }
}
