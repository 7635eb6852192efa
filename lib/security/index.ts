export { createServiceSecurity, devSecurityEnv, type SecurityConfig, securityConfigFromEnv, type ServiceSecurity } from "./config.ts";
export { type Caller, createTokenVerifier, generateJwtSecret, issueToken, type Role, type TokenConfig, type TokenVerifier } from "./tokens.ts";
export {
  createWebhookSigner,
  createWebhookVerifier,
  generateWebhookSecret,
  parseWebhookSecrets,
  signRequest,
  type WebhookSigner,
  type WebhookVerifier,
} from "./webhook-signature.ts";
