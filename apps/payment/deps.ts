import type { Clock, Ids } from "../../lib/clock/types.ts";
import type { Db } from "../../lib/db/types.ts";
import type { IdempotencyStore } from "../../lib/idempotency/types.ts";
import type { PaymentGateway } from "../../lib/payment-gateway/types.ts";

export type PaymentDeps = { db: Db; idempotency: IdempotencyStore; gateway: PaymentGateway; clock: Clock; ids: Ids };
