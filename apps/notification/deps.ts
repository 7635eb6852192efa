import type { Clock } from "../../lib/clock/types.ts";
import type { Db } from "../../lib/db/types.ts";
import type { IdempotencyStore } from "../../lib/idempotency/types.ts";
import type { Notifier } from "../../lib/notifier/types.ts";

export type NotificationDeps = { db: Db; idempotency: IdempotencyStore; notifier: Notifier; clock: Clock };
