import type { Clock, Ids } from "../../lib/clock/types.ts";
import type { Db } from "../../lib/db/types.ts";
import type { IdempotencyStore } from "../../lib/idempotency/types.ts";

export type InventoryDeps = {
  db: Db;
  idempotency: IdempotencyStore;
  clock: Clock;
  ids: Ids;
  /** How long a reservation holds stock for shipping. Default 30 min. */
  reservationTtlMs?: number;
  /** How long after expiry the stock is given back (see expire-reservations.ts). Default 5 min. */
  reservationGraceMs?: number;
};
