import type { Clock, Ids } from "../../lib/clock/types.ts";
import type { Db } from "../../lib/db/types.ts";
import type { IdempotencyStore } from "../../lib/idempotency/types.ts";

export type ShippingDeps = { db: Db; idempotency: IdempotencyStore; clock: Clock; ids: Ids };
