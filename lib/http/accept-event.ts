import * as v from "valibot";
import type { ValidCloudEvent } from "../cloudevents/index.ts";
import { AppError } from "../errors/index.ts";
import { eventCatalog, type EventOf, type EventType, isEventType } from "../events/index.ts";
import type { EventHandlerSpec } from "./event-webhook.ts";
import { toIssues } from "./issues.ts";

export type Receiver = {
  service: string;
  subscribes: readonly EventType[];
  handlers: Partial<Record<EventType, EventHandlerSpec<EventType>>>;
};

export type AcceptedEvent = { event: EventOf<EventType>; spec: EventHandlerSpec<EventType> };

/**
 * One pushed event checked against what its receiver takes, or a 422 naming the field (`at` is
 * its place in a batch, `[3]`, or empty for a single event). The envelope was parsed once, by
 * readCloudEvents (the edge); the catalogue's schema checks only what the envelope leaves open:
 * the type's own attributes and its `data`.
 */
export function acceptEvent({ service, subscribes, handlers }: Receiver, event: ValidCloudEvent, at: string): AcceptedEvent {
  const spec = isEventType(event.type) ? handlers[event.type] : undefined;
  if (!spec) {
    throw new AppError("event.unhandled_type", `${service} does not handle events of type "${event.type}"`, {
      status: 422,
      issues: [{ field: at ? `${at}.type` : "type", message: `expected one of ${subscribes.join(", ")}` }],
    });
  }
  const { schema, source } = eventCatalog[event.type as EventType];
  if (event.source !== source) {
    throw new AppError("event.wrong_source", `${event.type} is published by ${source}, not ${event.source}`, {
      status: 422,
      issues: [{ field: at ? `${at}.source` : "source", message: `expected ${source}` }],
    });
  }
  const parsed = v.safeParse(schema, event);
  if (!parsed.success) {
    throw new AppError("event.invalid_data", `the ${event.type} event ${event.id} does not match its schema`, {
      status: 422,
      issues: toIssues(parsed.issues, at),
    });
  }
  return { event: parsed.output as EventOf<EventType>, spec };
}
