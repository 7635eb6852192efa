import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { AppError } from "../errors/index.ts";
import { writeFileDurably } from "../fs/index.ts";
import { createTokenVerifier, generateJwtSecret, type TokenConfig, type TokenVerifier } from "./tokens.ts";
import { createWebhookVerifier, generateWebhookSecret, parseWebhookSecrets, type WebhookVerifier } from "./webhook-signature.ts";

type Env = Record<string, string | undefined>;

/** The secrets every process of the flow needs: the pushes' signing keys and the tokens' verifier. */
export type SecurityConfig = { webhookSecrets: string[]; tokens: TokenConfig };

export function securityConfigFromEnv(env: Env): SecurityConfig {
  return {
    webhookSecrets: parseWebhookSecrets(env.ORDERFLOW_WEBHOOK_SECRET),
    tokens: {
      secret: env.ORDERFLOW_JWT_SECRET || undefined,
      jwksUrl: env.ORDERFLOW_JWT_JWKS_URL || undefined,
      issuer: env.ORDERFLOW_JWT_ISSUER || "orderflow",
      audience: env.ORDERFLOW_JWT_AUDIENCE || "orderflow",
    },
  };
}

const devSecretsFile = v.object({ webhookSecret: v.string(), jwtSecret: v.string() });

/**
 * `bun run dev` needs no setup: on first start it makes a webhook secret and a JWT secret and keeps
 * them under DATA_DIR (mode 0600, written by rename so a crash never leaves half a file); a
 * variable that is set wins over the file.
 */
export function devSecurityEnv(dataDir: string, env: Env): Env {
  const file = join(dataDir, "secrets.json");
  let secrets: v.InferOutput<typeof devSecretsFile>;
  if (existsSync(file)) {
    const parsed = v.safeParse(devSecretsFile, JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new AppError("config.invalid", `${file} is not a secrets file of orderflow; move it away to make a new one`);
    secrets = parsed.output;
  } else {
    secrets = { webhookSecret: generateWebhookSecret(), jwtSecret: generateJwtSecret() };
    mkdirSync(dataDir, { recursive: true });
    writeFileDurably(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    ORDERFLOW_WEBHOOK_SECRET: env.ORDERFLOW_WEBHOOK_SECRET || secrets.webhookSecret,
    ORDERFLOW_JWT_SECRET: env.ORDERFLOW_JWT_SECRET || (env.ORDERFLOW_JWT_JWKS_URL ? undefined : secrets.jwtSecret),
    ORDERFLOW_JWT_JWKS_URL: env.ORDERFLOW_JWT_JWKS_URL,
    ORDERFLOW_JWT_ISSUER: env.ORDERFLOW_JWT_ISSUER,
    ORDERFLOW_JWT_AUDIENCE: env.ORDERFLOW_JWT_AUDIENCE,
  };
}

/** What a service checks at its doors: signed pushes on the internal listener, bearer tokens on the public one. */
export type ServiceSecurity = { verifyPush: WebhookVerifier; verifyToken: TokenVerifier };

export function createServiceSecurity(config: SecurityConfig): ServiceSecurity {
  return { verifyPush: createWebhookVerifier(config.webhookSecrets), verifyToken: createTokenVerifier(config.tokens) };
}
