import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../lib/clock/system.ts";
import { runServiceProcess } from "../../lib/engines/process.ts";
import { createRecordingNotifier } from "../../lib/notifier/recording.ts";
import { createApp } from "./app.ts";

// Composition root of the notification process (`bun run start notification`): the only place that reads the environment.
await runServiceProcess("notification", process.env, ({ config, database, idempotency }) => {
  // No e-mail provider yet: the notifier records each send as a JSON line under DATA_DIR.
  mkdirSync(config.dataDir, { recursive: true });
  const notifier = createRecordingNotifier({ file: join(config.dataDir, "notifications.jsonl"), log: console.log });
  return createApp({ db: database.db, idempotency, notifier, clock: systemClock });
});
