import { Hono } from "hono";
import * as v from "valibot";
import { readCloudEvents } from "../cloudevents/http.ts";
import type { CloudEvent } from "../cloudevents/types.ts";
import { AppError } from "../errors/app-error.ts";
import { eventCatalog, type EventOf, type EventType, isEventType } from "../events/catalog.ts";
import type { ServiceName } from "../events/subscriptions.ts";
import type { IdempotencyStore } from "../idempotency/types.ts";
import { toIssues } from "./issues.ts";

export type Outcome = "processed" | "duplicate";

export type EventHandlerSpec<T extends EventType> = {
  handle(event: EventOf<T>): Promise<Outcome>;
  /** The fast-path key (seed mission 4); default `${service}:${event.id}`. */
  dedupKey?(event: EventOf<T>): string;
};

export type EventHandlers = { [T in EventType]?: EventHandlerSpec<T> };

export type WebhookOptions = {
  service: ServiceName;
  handlers: EventHandlers;
  idempotency: IdempotencyStore;
  /** How long a claim holds off a concurrent duplicate; a crashed holder's claim expires after it. */
  claimTtlMs?: number;
  doneTtlMs?: number;
};

/**
 * `POST /events/{service}`: binary, structured or batch CloudEvents (lib/cloudevents/http.ts).
 * Every event of the request is validated before any is applied, so a bad batch changes nothing:
 * 400 malformed CloudEvent, 415 unusable content type, 422 a type this service does not handle or
 * `data` that fails its schema. Then each event runs through the fast path (SET NX claim) to its
 * handler, whose database transaction is the truth. 200 lists each event's outcome.
 */
export function eventWebhook(options: WebhookOptions): Hono {
  const { service, handlers, idempotency, claimTtlMs = 10_000, doneTtlMs = 24 * 3_600_000 } = options;
  const app = new Hono();

  app.post(`/events/${service}`, async (c) => {
    const { events } = await readCloudEvents(c.req.raw);
    const accepted = events.map((event, index) => accept(event, events.length > 1 ? `[${index}]` : ""));
    const results: Array<{ id: string; outcome: Outcome }> = [];
    for (const { event, spec } of accepted) {
      results.push({ id: event.id, outcome: await runOnce(event, spec) });
    }
    return c.json({ results });
  });

  function accept(event: CloudEvent, at: string) {
    const spec = isEventType(event.type) ? (handlers[event.type] as EventHandlerSpec<EventType> | undefined) : undefined;
    if (!spec) {
      throw new AppError("event.unhandled_type", `${service} does not handle events of type "${event.type}"`, {
        status: 422,
        issues: [{ field: at ? `${at}.type` : "type", message: `expected one of ${Object.keys(handlers).join(", ")}` }],
      });
    }
    const parsed = v.safeParse(eventCatalog[event.type as EventType].schema, event);
    if (!parsed.success) {
      throw new AppError("event.invalid_data", `the ${event.type} event ${event.id} does not match its schema`, {
        status: 422,
        issues: toIssues(parsed.issues, at),
      });
    }
    return { event: parsed.output as EventOf<EventType>, spec };
  }

  async function runOnce(event: EventOf<EventType>, spec: EventHandlerSpec<EventType>): Promise<Outcome> {
    const key = spec.dedupKey?.(event) ?? `${service}:${event.id}`;
    if ((await idempotency.get(key)) === "done") return "duplicate";
    if (!(await idempotency.claim(key, claimTtlMs))) {
      throw new AppError("event.in_progress", `${key} is being processed by another delivery`, { status: 503, retryable: true });
    }
    try {
      const outcome = await spec.handle(event);
      await idempotency.markDone(key, doneTtlMs);
      return outcome;
    } catch (error) {
      await idempotency.release(key);
      throw error;
    }
  }

  return app;
}
