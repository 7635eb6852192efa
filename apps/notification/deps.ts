import type { Clock } from "../../lib/clock/index.ts";
import type { Db } from "../../lib/db/index.ts";
import type { IdempotencyStore } from "../../lib/idempotency/index.ts";
import type { Logger } from "../../lib/log/index.ts";
import type { Notifier } from "../../lib/notifier/index.ts";
import type { ServiceSecurity } from "../../lib/security/index.ts";

export type NotificationDeps = { db: Db; idempotency: IdempotencyStore; security: ServiceSecurity; notifier: Notifier; clock: Clock; log: Logger };
