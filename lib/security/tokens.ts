import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { AppError } from "../errors/index.ts";
import { isPlainText } from "../events/index.ts";
import { BoundedMap } from "../cache/index.ts";

/** Who calls the public API: a customer (the default) or a member of staff. */
export type Role = "customer" | "staff";
export type Caller = { sub: string; role: Role };

export type TokenConfig = {
  /** HS256 secret (ORDERFLOW_JWT_SECRET); or, in production, a JWKS URL (ORDERFLOW_JWT_JWKS_URL). */
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
};

export type TokenVerifier = (token: string) => Promise<Caller>;

const unauthenticated = (reason: string, cause?: unknown) =>
  new AppError("auth.unauthenticated", `a valid bearer token is required: ${reason}`, {
    status: 401,
    headers: { "www-authenticate": `Bearer realm="orderflow", error="invalid_token"` },
    cause,
  });

/**
 * Verifies `Authorization: Bearer` tokens with jose: the signature (HS256 with the shared secret,
 * or a key of the JWKS, RS256/ES256/EdDSA), `exp`/`nbf`, `iss` and `aud`. `sub` names the caller;
 * `role` is `customer` unless it says `staff`. Every token must expire (`exp`).
 *
 * A verified token is remembered until it expires (at most `cacheSeconds`): WebCrypto's HMAC is
 * asynchronous and, measured under load, queued behind file syncs for up to a second per request,
 * while a customer sends the same token again and again. Only verified tokens enter the cache, and
 * a hit still checks `exp`.
 */
export function createTokenVerifier(config: TokenConfig, options: { cacheSize?: number; cacheSeconds?: number } = {}): TokenVerifier {
  const { cacheSize = 10_000, cacheSeconds = 300 } = options;
  const key = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : secretKey(config.secret);
  const algorithms = config.jwksUrl ? ["RS256", "ES256", "EdDSA"] : ["HS256"];
  const verified = new BoundedMap<string, { caller: Caller; untilMs: number }>(cacheSize);
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.untilMs > Date.now()) return hit.caller;
    verified.delete(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw unauthenticated((error as { code?: string }).code ?? "the token does not verify", error);
    }
    const caller = callerOf(payload);
    verified.set(token, { caller, untilMs: Math.min(payload.exp! * 1000, Date.now() + cacheSeconds * 1000) });
    return caller;
  };
}

function callerOf(payload: JWTPayload): Caller {
  const { sub } = payload;
  if (typeof sub !== "string" || sub === "" || sub.length > 100 || !isPlainText(sub)) throw unauthenticated("the token has no usable sub");
  const role = payload.role ?? "customer";
  if (role !== "customer" && role !== "staff") throw unauthenticated(`unknown role "${String(role)}"`);
  return { sub, role };
}

/** A token for `sub` (dev mode, tests, `bun run start token`), signed with the HS256 secret. */
export async function issueToken(config: TokenConfig, caller: Caller, ttlSeconds = 24 * 3600): Promise<string> {
  return new SignJWT({ role: caller.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(caller.sub)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secretKey(config.secret));
}

export function generateJwtSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

function secretKey(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < 32) {
    throw new AppError("config.invalid", "ORDERFLOW_JWT_SECRET must be at least 32 characters (or set ORDERFLOW_JWT_JWKS_URL)");
  }
  return new TextEncoder().encode(secret);
}
