import { isCloudEventsString, isRfc3339, type ValidCloudEvent } from "../cloudevents/index.ts";
import { AppError } from "../errors/index.ts";
import { eventCatalog, type EventOf, type EventType } from "./catalog.ts";

export type EventContext = {
  /** The event being handled, if any: its id becomes `causationid`, its `correlationid` is kept. */
  cause?: { id: string; correlationid: string };
  correlationid?: string;
  id: string;
  time: Date;
};

/**
 * Builds an outgoing event with the envelope every producer must set, branded valid without a
 * parse. Sound because every attribute is either a constant of the catalogue (specversion,
 * source: a URI-reference, type, datacontenttype), or made here from a Date (time, checked to be
 * RFC 3339: a year past 9999 is not), or one of three free strings (id, correlationid, causationid)
 * checked here to be non-empty CloudEvents strings; `data` is typed JSON. No extension is added.
 */
export function newEvent<T extends EventType>(type: T, data: EventOf<T>["data"], context: EventContext): ValidCloudEvent<EventOf<T>> {
  const correlationid = context.cause?.correlationid ?? context.correlationid;
  const time = isoTime(type, context.time);
  requireAttribute(type, "id", context.id);
  if (!correlationid) throw invalidAttribute(type, "a correlationid or a cause is required");
  requireAttribute(type, "correlationid", correlationid);
  if (context.cause) requireAttribute(type, "causationid", context.cause.id);
  return {
    specversion: "1.0",
    id: context.id,
    source: eventCatalog[type].source,
    type,
    time,
    datacontenttype: "application/json",
    correlationid,
    ...(context.cause ? { causationid: context.cause.id } : {}),
    data,
  } as ValidCloudEvent<EventOf<T>>;
}

function requireAttribute(type: EventType, name: string, value: string): void {
  if (value !== "" && isCloudEventsString(value)) return;
  throw invalidAttribute(type, `${name} must be a non-empty string without control characters`);
}

function isoTime(type: EventType, time: Date): string {
  const iso = Number.isNaN(time.getTime()) ? "" : time.toISOString();
  if (!isRfc3339(iso)) throw invalidAttribute(type, "time must be a valid date in the years 0 to 9999");
  return iso;
}

// A programming error in the producer, not bad input: no status, so it surfaces as a 500.
function invalidAttribute(type: EventType, why: string): AppError {
  return new AppError("event.invalid_attribute", `newEvent(${type}): ${why}`);
}
