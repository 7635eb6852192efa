import type { Clock, Ids } from "../../lib/clock/index.ts";
import type { Db } from "../../lib/db/index.ts";
import type { IdempotencyStore } from "../../lib/idempotency/index.ts";
import type { Logger } from "../../lib/log/index.ts";
import type { ServiceSecurity } from "../../lib/security/index.ts";

export type OrderDeps = {
  db: Db;
  idempotency: IdempotencyStore;
  security: ServiceSecurity;
  clock: Clock;
  ids: Ids;
  /** POST /orders per customer per minute (ORDERFLOW_RATE_LIMIT): default 60, 0 turns the limit off. */
  ordersPerMinute?: number;
  /** Its lines name the event (id, type), the order and why; never a token, an address or a whole event. */
  log: Logger;
};
