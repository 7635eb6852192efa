import type { Clock, Ids } from "../../lib/clock/index.ts";
import type { Db } from "../../lib/db/index.ts";
import type { IdempotencyStore } from "../../lib/idempotency/index.ts";
import type { Logger } from "../../lib/log/index.ts";
import type { ServiceSecurity } from "../../lib/security/index.ts";

export type InventoryDeps = {
  db: Db;
  idempotency: IdempotencyStore;
  security: ServiceSecurity;
  clock: Clock;
  ids: Ids;
  /** How long a reservation holds stock for shipping. Default 30 min. */
  reservationTtlMs?: number;
  /** How long after expiry the stock is given back. Default 5 min. */
  reservationGraceMs?: number;
  /**
   * Where what a person must look at goes (a shipment without a reservation, unbacked stock), by
   * event id, type and order; never a whole event.
   */
  log: Logger;
};

export const defaultReservationTtlMs = 30 * 60_000;

/**
 * Shipping refuses to ship an expired reservation, but its shipment.created may still be on its
 * way to inventory: the grace covers that delay, so a shipped reservation is almost never released.
 */
export const defaultReservationGraceMs = 5 * 60_000;
