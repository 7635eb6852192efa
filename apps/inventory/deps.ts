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
  /** How long after expiry inventory waits before asking shipping to settle the reservation. Default 20 min. */
  reservationGraceMs?: number;
  /**
   * Where what a person must look at goes (a shipment without a reservation, unbacked stock), by
   * event id, type and order; never a whole event.
   */
  log: Logger;
};

export const defaultReservationTtlMs = 30 * 60_000;

/**
 * Shipping settles every reservation by itself: it ships it (shipment.created) or, once its time
 * has run out, refuses it (shipment.refused), and only its refusal gives the stock back. The
 * sweeper only asks about reservations nobody answered for, which are then settled by shipping too,
 * so an expiry never races a shipment. The grace is how long inventory waits for those answers
 * before asking: longer than the dispatcher's whole retry budget for one delivery (30 attempts,
 * backoff capped at 30 s: about 11 minutes, plus up to 10 s of timeout per attempt, under 17), so
 * an answer still being retried lands first and the question is not asked for nothing.
 */
export const defaultReservationGraceMs = 20 * 60_000;
