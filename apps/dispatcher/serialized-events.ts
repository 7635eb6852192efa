import { serializeCloudEvent, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";

const serialized = new WeakMap<ValidCloudEvent, { json: string; bytes: number }>();

/**
 * An event's JSON and its size in bytes, worked out once however many pushes carry it (batches are
 * cut and joined by its size, bodies joined from its JSON, for every group the event goes to).
 * Sound because nothing changes an event once read: the dispatcher forwards events, it never edits them.
 */
function written(event: ValidCloudEvent): { json: string; bytes: number } {
  let known = serialized.get(event);
  if (known === undefined) {
    const json = serializeCloudEvent(event);
    known = { json, bytes: Buffer.byteLength(json) };
    serialized.set(event, known);
  }
  return known;
}

export const serializedEvent = (event: ValidCloudEvent): string => written(event).json;
export const serializedBytes = (event: ValidCloudEvent): number => written(event).bytes;
