import { systemClock, uuidV7Ids } from "../../lib/clock/system.ts";
import { runServiceProcess } from "../../lib/engines/process.ts";
import { createApp } from "./app.ts";

// Composition root of the shipping process (`bun run start shipping`): the only place that reads the environment.
await runServiceProcess("shipping", process.env, ({ database, idempotency }) =>
  createApp({ db: database.db, idempotency, clock: systemClock, ids: uuidV7Ids }),
);
