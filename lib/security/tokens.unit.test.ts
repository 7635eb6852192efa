import { describe, expect, test } from "bun:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createTokenVerifier, generateJwtSecret, issueToken, type TokenConfig } from "./tokens.ts";

const config: TokenConfig = { secret: generateJwtSecret(), issuer: "orderflow", audience: "orderflow" };
const verify = createTokenVerifier(config);
const refusal = (token: string) => verify(token).then(() => "accepted", (error) => `${error.code} ${error.status}`);
const raw = (claims: Record<string, unknown>, secret = config.secret!) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer("orderflow").setAudience("orderflow").setExpirationTime("1h").sign(new TextEncoder().encode(secret));

describe("bearer tokens", () => {
  test("a token issued for a customer or staff member verifies to its sub and role", async () => {
    expect(await verify(await issueToken(config, { sub: "u-1", role: "customer" }))).toEqual({ sub: "u-1", role: "customer" });
    expect(await verify(await issueToken(config, { sub: "s-1", role: "staff" }))).toEqual({ sub: "s-1", role: "staff" });
    expect(await verify(await raw({ sub: "u-2" }))).toEqual({ sub: "u-2", role: "customer" });
  });

  test("another secret, another issuer or audience, an expired token, no sub, an unknown role: 401", async () => {
    expect(await refusal(await raw({ sub: "u-1" }, generateJwtSecret()))).toBe("auth.unauthenticated 401");
    expect(await refusal(await issueToken({ ...config, issuer: "elsewhere" }, { sub: "u-1", role: "customer" }))).toBe("auth.unauthenticated 401");
    expect(await refusal(await issueToken({ ...config, audience: "elsewhere" }, { sub: "u-1", role: "customer" }))).toBe("auth.unauthenticated 401");
    expect(await refusal(await issueToken(config, { sub: "u-1", role: "customer" }, -10))).toBe("auth.unauthenticated 401");
    expect(await refusal(await raw({}))).toBe("auth.unauthenticated 401");
    expect(await refusal(await raw({ sub: "u-1", role: "admin" }))).toBe("auth.unauthenticated 401");
    expect(await refusal("not.a.jwt")).toBe("auth.unauthenticated 401");
  });

  test("alg none is refused", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const body = Buffer.from(JSON.stringify({ sub: "u-1", iss: "orderflow", aud: "orderflow" })).toString("base64url");
    expect(await refusal(`${header}.${body}.`)).toBe("auth.unauthenticated 401");
  });
});

test("production keys: a token signed by a key of the JWKS verifies; one signed by another key does not", async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const other = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ keys: [jwk] }) });
  try {
    const verifyJwks = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${server.port}/jwks.json`, issuer: "orderflow", audience: "orderflow" });
    const sign = (key: CryptoKey) =>
      new SignJWT({ role: "staff" }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setSubject("s-9").setIssuer("orderflow").setAudience("orderflow").setExpirationTime("1h").sign(key);
    expect(await verifyJwks(await sign(privateKey))).toEqual({ sub: "s-9", role: "staff" });
    expect(await verifyJwks(await sign(other.privateKey)).then(() => "accepted", (error) => error.code)).toBe("auth.unauthenticated");
  } finally {
    await server.stop(true);
  }
});

test("a token must expire, and its sub must be plain text", async () => {
  const noExp = await new SignJWT({ sub: "u-1" }).setProtectedHeader({ alg: "HS256" }).setIssuer("orderflow").setAudience("orderflow").sign(new TextEncoder().encode(config.secret!));
  expect(await refusal(noExp)).toBe("auth.unauthenticated 401");
  expect(await refusal(await raw({ sub: "u\u202e1" }))).toBe("auth.unauthenticated 401");
});

test("a verified token is remembered: the second check answers the same caller", async () => {
  const token = await issueToken(config, { sub: "u-7", role: "staff" });
  expect(await verify(token)).toEqual({ sub: "u-7", role: "staff" });
  expect(await verify(token)).toEqual({ sub: "u-7", role: "staff" });
});
