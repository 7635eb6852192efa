import { createMiddleware } from "hono/factory";
import type { Clock } from "../../../lib/clock/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { AuthEnv } from "../../../lib/http/index.ts";

const windowMs = 60_000;
/** Customers with no request inside the window are forgotten every this many requests, so memory stays bounded. */
const sweepEvery = 1_000;

/**
 * At most `perMinute` requests per customer (`sub`) in any sliding minute; more get 429 with
 * `Retry-After`, the seconds until their oldest request leaves the window. `0` turns it off (load
 * tests). Kept per process: behind a load balancer with n order processes a customer gets up to n
 * times the limit, which still stops one customer from flooding the flow; a shared counter (Redis)
 * is the step after.
 *
 * Written here rather than taken from hono-rate-limiter: its store counts fixed windows, which let
 * twice the limit through across a window's edge and can only say when the window resets, not
 * when a slot frees; and its memory store runs a timer of its own. A log of times per customer,
 * trimmed on each request, is exact and small (at most `perMinute` numbers per customer).
 */
export function ordersPerMinute(perMinute: number, clock: Clock) {
  const recent = new Map<string, number[]>();
  let requests = 0;
  return createMiddleware<AuthEnv>(async (c, next) => {
    if (perMinute <= 0) return next();
    const now = clock.now().getTime();
    if (++requests % sweepEvery === 0) forgetIdle(recent, now);
    const times = (recent.get(c.var.caller.sub) ?? []).filter((time) => time > now - windowMs);
    if (times.length >= perMinute) {
      recent.set(c.var.caller.sub, times);
      const seconds = Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000));
      throw new AppError("order.rate_limited", `at most ${perMinute} orders a minute; try again in ${seconds} s`, {
        status: 429,
        headers: { "retry-after": String(seconds) },
      });
    }
    times.push(now);
    recent.set(c.var.caller.sub, times);
    return next();
  });
}

function forgetIdle(recent: Map<string, number[]>, now: number): void {
  for (const [sub, times] of recent) if ((times.at(-1) ?? 0) <= now - windowMs) recent.delete(sub);
}

/** ORDERFLOW_RATE_LIMIT: orders per customer per minute; unset → 60, `0` → off. */
export function rateLimitFromEnv(value: string | undefined): number {
  if (value === undefined || value === "") return 60;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new AppError("config.invalid", `ORDERFLOW_RATE_LIMIT must be a whole number ≥ 0 (0: off), not "${value}"`);
  return limit;
}
