import { eventCatalog, type EventOf, type EventType } from "./catalog.ts";

export type EventContext = {
  /** The event being handled, if any: its id becomes `causationid`, its `correlationid` is kept. */
  cause?: { id: string; correlationid: string };
  correlationid?: string;
  id: string;
  time: Date;
};

/** Builds an outgoing event with the envelope every producer must set. */
export function newEvent<T extends EventType>(type: T, data: EventOf<T>["data"], context: EventContext): EventOf<T> {
  const correlationid = context.cause?.correlationid ?? context.correlationid;
  if (!correlationid) throw new Error(`newEvent(${type}): a correlationid or a cause is required`);
  return {
    specversion: "1.0",
    id: context.id,
    source: eventCatalog[type].source,
    type,
    time: context.time.toISOString(),
    datacontenttype: "application/json",
    correlationid,
    ...(context.cause ? { causationid: context.cause.id } : {}),
    data,
  } as EventOf<T>;
}
