import { defineService } from "../../lib/service/index.ts";
import { createApp, subscribes } from "./app.ts";
import { outbox, schema } from "./store/schema.ts";

export const shipping = defineService({
  name: "shipping",
  port: 3040,
  schema,
  subscribes,
  outbox,
  create: ({ database, idempotency, security, clock, ids, log }) => ({ app: createApp({ db: database.db, idempotency, security, clock, ids, log }) }),
});
