export { authenticated, type AuthEnv, mayRead, staffOnly } from "./auth.ts";
export { type BatchApply, eventWebhook, oneHandlerFor, type Outcome } from "./event-webhook.ts";
export { type EventOutcome, type EventResult } from "./event-outcomes.ts";
export { internalAddress, internalListener, publicListener, serverIdleTimeoutSeconds } from "./listeners.ts";
export { notFound, onErrorWith, type Problem } from "./problem.ts";
export { createServiceApp, maxBodyBytes } from "./service-app.ts";
export { maxEventsPerPush } from "./signed-push.ts";
export { jsonBody, params, query } from "./validate.ts";
