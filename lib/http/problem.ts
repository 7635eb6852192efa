import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorIssue, isAppError } from "../errors/index.ts";
import { errorSummary, eventFields, type Logger } from "../log/index.ts";

/** RFC 9457 problem details. `code` is our stable error code; `errors` names the failing fields. */
export type Problem = { status: number; title: string; code: string; detail?: string; errors?: ErrorIssue[] };

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", ...problem }), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Where a push handler notes the event it is applying, so that its failure's log line names it. */
const handlingKey = "handlingEvent";
type Handling = ReturnType<typeof eventFields>;

/** Names the event (or, with none, no event any more: it was applied). */
export function noteHandling(c: Context, event: { id: string; type: string; data?: unknown } | undefined): void {
  c.set(handlingKey, event && eventFields(event));
}

const handlingOf = (c: Context): Handling | undefined => c.get(handlingKey) as Handling | undefined;

/** Where the service frame keeps its logger, for handlers that report failures without failing the request. */
const logKey = "serviceLog";

export function keepLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    c.set(logKey, log);
    await next();
  };
}

/**
 * One event of a batch was not applied (the request still succeeds, with the outcome): logged
 * with the event's id, type and order. Expected refusals (an AppError) are warnings; anything
 * else is an error, logged as its summary like onErrorWith does.
 */
export function logFailure(c: Context, event: { id: string; type: string; data?: unknown } | undefined, error: unknown): void {
  const log = c.get(logKey) as Logger | undefined;
  const named = { method: c.req.method, path: c.req.path, ...(event ? eventFields(event) : {}) };
  if (isAppError(error)) log?.warn({ ...named, code: error.code, status: error.status }, "event not applied");
  else log?.error({ ...named, error }, "event not applied: unexpected error");
}

/** A set-based batch that fell back to event by event: slower, not wrong; its summary says why. */
export function logBatchFallback(c: Context, error: unknown, events: number): void {
  const log = c.get(logKey) as Logger | undefined;
  log?.info({ method: c.req.method, path: c.req.path, events, why: errorSummary(error) }, "batch applied event by event");
}

/**
 * The one error mapper every app installs with `app.onError`. Unknown errors are logged (as their
 * summary, lib/log/error-summary.ts: a failed query's parameters stay out of the log), with the
 * event a push handler was applying (its id, type and order), 500.
 */
export function onErrorWith(log: Logger): (error: Error, c: Context) => Response {
  return (error, c) => {
    if (isAppError(error)) {
      const headers: Record<string, string> = { ...(error.retryable ? { "retry-after": "1" } : {}), ...error.headers };
      return problemResponse(
        { status: error.status, title: titles[error.status] ?? "Error", code: error.code, detail: error.message, errors: error.issues.length ? error.issues : undefined },
        headers,
      );
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return problemResponse({ status, title: titles[status] ?? "Error", code: `http.${status}`, detail: error.message });
    }
    log.error({ method: c.req.method, path: c.req.path, ...handlingOf(c), error }, "unexpected error");
    return problemResponse({ status: 500, title: titles[500]!, code: "internal", detail: "unexpected error; see the service log" });
  };
}

export function notFound(c: Context): Response {
  return problemResponse({ status: 404, title: "Not Found", code: "http.not_found", detail: `no route for ${c.req.method} ${c.req.path}` });
}
