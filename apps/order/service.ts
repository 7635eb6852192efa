import { defineService } from "../../lib/service/index.ts";
import { createApp, subscribes } from "./app.ts";
import { rateLimitFromEnv } from "./routes/rate-limit.ts";
import { outbox, schema } from "./store/schema.ts";

export const order = defineService({
  name: "order",
  port: 3010,
  schema,
  subscribes,
  outbox,
  create: ({ database, idempotency, security, clock, ids, env, log }) => ({
    app: createApp({ db: database.db, idempotency, security, clock, ids, ordersPerMinute: rateLimitFromEnv(env.ORDERFLOW_RATE_LIMIT), log }),
  }),
});
