import fc from "fast-check";
import { SignJWT } from "jose";
import { testSecurityConfig } from "../../lib/testing/index.ts";

/**
 * `Authorization` headers that must not get a customer in (401): none, another scheme, a token
 * that is not ours (another secret, `alg: none`), one of ours that is expired, for another issuer
 * or audience, with an unknown role or an unusable `sub`, or ours with its payload or signature
 * changed.
 */
export type AuthFlaw =
  | { how: "no Authorization header" }
  | { how: "not a bearer token"; header: string }
  | { how: "signed with another secret"; secret: string }
  | { how: "expired" | "another issuer" | "another audience" | "unknown role" | "empty sub" | "sub over 100 characters" }
  | { how: "alg none" | "payload changed after signing" | "signature changed" };

const headers = fc.constantFrom("", "Basic dTpw", "Bearer", "Bearer ", "Token abc", "Bearer not.a.jwt", "Bearer a.b", "bearer  ", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.");

export const authFlaw: fc.Arbitrary<AuthFlaw> = fc.oneof(
  fc.constant({ how: "no Authorization header" as const }),
  headers.map((header) => ({ how: "not a bearer token" as const, header })),
  fc.base64String({ minLength: 44, maxLength: 60 }).map((secret) => ({ how: "signed with another secret" as const, secret })),
  fc.constantFrom(
    ...(["expired", "another issuer", "another audience", "unknown role", "empty sub", "sub over 100 characters"] as const).map((how) => ({ how })),
  ),
  fc.constantFrom(...(["alg none", "payload changed after signing", "signature changed"] as const).map((how) => ({ how }))),
);

const { secret, issuer, audience } = testSecurityConfig.tokens;
const key = (text: string) => new TextEncoder().encode(text);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function token(claims: { sub?: string; role?: string; iss?: string; aud?: string; expSeconds?: number }, signingSecret = secret!) {
  const jwt = new SignJWT({ role: claims.role ?? "customer" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(claims.iss ?? issuer)
    .setAudience(claims.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expSeconds ?? 3600));
  if (claims.sub !== "") jwt.setSubject(claims.sub ?? "u-sec-1");
  return jwt.sign(key(signingSecret));
}

/** The `Authorization` value for `flaw`, or undefined for none at all. */
export async function authorizationFor(flaw: AuthFlaw): Promise<string | undefined> {
  switch (flaw.how) {
    case "no Authorization header":
      return undefined;
    case "not a bearer token":
      return flaw.header;
    case "signed with another secret":
      return `Bearer ${await token({}, flaw.secret)}`;
    case "expired":
      return `Bearer ${await token({ expSeconds: -120 })}`;
    case "another issuer":
      return `Bearer ${await token({ iss: "somebody-else" })}`;
    case "another audience":
      return `Bearer ${await token({ aud: "somebody-else" })}`;
    case "unknown role":
      return `Bearer ${await token({ role: "admin" })}`;
    case "empty sub":
      return `Bearer ${await token({ sub: "" })}`;
    case "sub over 100 characters":
      return `Bearer ${await token({ sub: "u".repeat(101) })}`;
    case "alg none":
      return `Bearer ${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "u-sec-1", iss: issuer, aud: audience, role: "staff" })}.`;
    case "payload changed after signing": {
      const [header, , signature] = (await token({})).split(".");
      return `Bearer ${header}.${b64url({ sub: "u-sec-2", iss: issuer, aud: audience, role: "staff", exp: Math.floor(Date.now() / 1000) + 3600 })}.${signature}`;
    }
    case "signature changed": {
      const [header, payload, signature] = (await token({})).split(".");
      const flipped = (signature![0] === "A" ? "B" : "A") + signature!.slice(1);
      return `Bearer ${header}.${payload}.${flipped}`;
    }
    default:
      return flaw satisfies never;
  }
}
