import { defineService } from "../../lib/service/index.ts";
import { createApp, subscribes } from "./app.ts";
import { startReservationExpiry } from "./handlers/expire-reservations.ts";
import { outbox, schema } from "./store/schema.ts";

const optionalMs = (value: string | undefined) => (value ? Number(value) : undefined);

export const inventory = defineService({
  name: "inventory",
  port: 3030,
  schema,
  subscribes,
  // Every batch locks the stock of its products: one batch at a time (see ServiceDefinition).
  pushConcurrency: 1,
  outbox,
  create: ({ database, idempotency, security, clock, ids, env, log }) => {
    const deps = {
      db: database.db,
      idempotency,
      security,
      clock,
      ids,
      reservationTtlMs: optionalMs(env.RESERVATION_TTL_MS),
      reservationGraceMs: optionalMs(env.RESERVATION_GRACE_MS),
      log,
    };
    let stopExpiry = async () => {};
    return {
      app: createApp(deps),
      // Every inventory process sweeps; SKIP LOCKED keeps them from asking about the same reservation.
      start: () => void (stopExpiry = startReservationExpiry(deps, optionalMs(env.RESERVATION_SWEEP_MS) ?? 30_000)),
      stop: () => stopExpiry(),
    };
  },
});
