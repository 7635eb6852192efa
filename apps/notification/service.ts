import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRecordingNotifier } from "../../lib/notifier/index.ts";
import { defineService } from "../../lib/service/index.ts";
import { createApp, subscribes } from "./app.ts";
import { schema } from "./store/schema.ts";

export const notification = defineService({
  name: "notification",
  port: 3050,
  schema,
  subscribes,
  create: ({ database, idempotency, security, clock, dataDir, log }) => {
    // No e-mail provider yet: the notifier records each send as a JSON line under DATA_DIR.
    mkdirSync(dataDir, { recursive: true });
    const notifier = createRecordingNotifier({ file: join(dataDir, "notifications.jsonl"), log });
    return { app: createApp({ db: database.db, idempotency, security, notifier, clock, log }) };
  },
});
