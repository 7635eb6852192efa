import type { Clock, Ids } from "../../lib/clock/index.ts";
import type { Db } from "../../lib/db/index.ts";
import type { IdempotencyStore } from "../../lib/idempotency/index.ts";

export type ShippingDeps = { db: Db; idempotency: IdempotencyStore; clock: Clock; ids: Ids };
