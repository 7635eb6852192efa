import type { Clock, Ids } from "../../lib/clock/index.ts";
import type { Db } from "../../lib/db/index.ts";
import type { IdempotencyStore } from "../../lib/idempotency/index.ts";
import type { Logger } from "../../lib/log/index.ts";
import type { PaymentGateway } from "../../lib/payment-gateway/index.ts";
import type { ServiceSecurity } from "../../lib/security/index.ts";
import type { RecoveryPolicy } from "./recovery.ts";

export type PaymentDeps = {
  db: Db;
  idempotency: IdempotencyStore;
  security: ServiceSecurity;
  gateway: PaymentGateway;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** Default: recoveryPolicy() (recovery.ts). */
  recovery?: RecoveryPolicy;
};
