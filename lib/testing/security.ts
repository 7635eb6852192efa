import {
  type Caller,
  createServiceSecurity,
  createWebhookSigner,
  issueToken,
  type SecurityConfig,
  type ServiceSecurity,
  signRequest,
} from "../security/index.ts";

/**
 * Fixed secrets for tests: the webhook secret that signs test pushes and the HS256 secret behind
 * test tokens. Never used outside tests (dev and production make or read their own).
 */
export const testSecurityConfig: SecurityConfig = {
  webhookSecrets: [`whsec_${Buffer.from("orderflow test webhook secret!!!").toString("base64")}`],
  tokens: { secret: "orderflow-test-jwt-secret-of-32-characters", issuer: "orderflow", audience: "orderflow" },
};

export const testSecurity: ServiceSecurity = createServiceSecurity(testSecurityConfig);
/** Signs as the dispatcher does, with the test secret. */
export const testSigner = createWebhookSigner(testSecurityConfig.webhookSecrets);

/** Environment variables carrying the test secrets (for composeFlow and spawned processes). */
export const testSecurityEnv = {
  ORDERFLOW_WEBHOOK_SECRET: testSecurityConfig.webhookSecrets[0]!,
  ORDERFLOW_JWT_SECRET: testSecurityConfig.tokens.secret!,
};

/** The request as the dispatcher would push it: signed with the test secret. */
export function signedForTest(request: Request): Promise<Request> {
  return signRequest(request, testSigner, `test_${crypto.randomUUID()}`);
}

/** `Authorization` header value for a test caller. */
export async function bearerFor(sub: string, role: Caller["role"] = "customer"): Promise<string> {
  return `Bearer ${await issueToken(testSecurityConfig.tokens, { sub, role })}`;
}
