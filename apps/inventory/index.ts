import { systemClock, uuidV7Ids } from "../../lib/clock/system.ts";
import { runServiceProcess } from "../../lib/engines/process.ts";
import { createApp } from "./app.ts";
import { startReservationExpiry } from "./handlers/expire-reservations.ts";

// Composition root of the inventory process (`bun run start inventory`): the only place that reads the environment.
await runServiceProcess("inventory", process.env, ({ database, idempotency }) => {
  const deps = { db: database.db, idempotency, clock: systemClock, ids: uuidV7Ids };
  // Every inventory process sweeps; SKIP LOCKED keeps them from releasing the same reservation.
  const stopExpiry = startReservationExpiry(deps, Number(process.env.RESERVATION_SWEEP_MS || 30_000));
  return { app: createApp(deps), stop: stopExpiry };
});
