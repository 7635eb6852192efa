export { eventWebhook, oneHandlerFor, type Outcome } from "./event-webhook.ts";
export { notFound, onError, type Problem } from "./problem.ts";
export { createServiceApp } from "./service-app.ts";
export { jsonBody, params, query } from "./validate.ts";
