import { createMiddleware } from "hono/factory";
import { AppError } from "../errors/index.ts";
import type { Caller, TokenVerifier } from "../security/index.ts";

export type AuthEnv = { Variables: { caller: Caller } };

/** `Authorization: Bearer <JWT>` → `c.var.caller`; missing or bad → 401 problem with `WWW-Authenticate`. */
export function authenticated(verify: TokenVerifier) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new AppError("auth.unauthenticated", "a bearer token is required (Authorization: Bearer <JWT>)", {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="orderflow"' },
      });
    }
    c.set("caller", await verify(match[1]!));
    await next();
  });
}

/** After `authenticated`: staff only (403 for a customer). */
export const staffOnly = createMiddleware<AuthEnv>(async (c, next) => {
  if (c.var.caller.role !== "staff") throw new AppError("auth.forbidden", "this operation is for staff", { status: 403 });
  await next();
});

/**
 * Whether `caller` may see what belongs to `owner`. Anyone else is answered 404, as if it did not
 * exist: a 403 would tell a stranger the order is real.
 */
export function mayRead(caller: Caller, owner: string | undefined): boolean {
  return owner !== undefined && (caller.role === "staff" || caller.sub === owner);
}
