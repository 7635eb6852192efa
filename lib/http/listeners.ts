import { problemResponse } from "./problem.ts";

type Fetch = (request: Request) => Response | Promise<Response>;

const isPush = (request: Request) => new URL(request.url).pathname.startsWith("/events/");
const notRouted = (request: Request) =>
  problemResponse({ status: 404, title: "Not Found", code: "http.not_found", detail: `no route for ${request.method} ${new URL(request.url).pathname}` });

/**
 * A service answers on two listeners (docs/architecture.md#trust-boundaries): the public one, for
 * customers and staff, does not route `/events/*` at all; the internal one, bound to a private
 * address, serves only the signed event pushes and `/health`.
 */
export function publicListener(app: { fetch: Fetch }): Fetch {
  return (request) => (isPush(request) ? notRouted(request) : app.fetch(request));
}

export function internalListener(app: { fetch: Fetch }): Fetch {
  return (request) => (isPush(request) || new URL(request.url).pathname === "/health" ? app.fetch(request) : notRouted(request));
}

/** Where the internal listener goes: INTERNAL_PORT (default PORT + 1) on INTERNAL_HOST (default 127.0.0.1). */
export function internalAddress(env: Record<string, string | undefined>, publicPort: number): { port: number; hostname: string } {
  return { port: Number(env.INTERNAL_PORT || publicPort + 1), hostname: env.INTERNAL_HOST || "127.0.0.1" };
}

/**
 * Seconds a connection may stay silent before the server closes it (Bun.serve's `idleTimeout`).
 * Bun's default, 10 s, counts a request still being handled as silence and resets it: under a
 * backlog a client saw its POST /orders reset without knowing whether the order was placed. A
 * request now gets a minute; the dispatcher's own delivery timeout (DISPATCH_TIMEOUT_MS) still
 * bounds a push.
 */
export const serverIdleTimeoutSeconds = 60;
