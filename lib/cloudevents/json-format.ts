import { encodeBase64 } from "./base64.ts";
import type { ValidCloudEvent } from "./types.ts";

/**
 * Serialization to the JSON event format (CloudEvents JSON format 3) and batch format (4).
 * Bytes held in `data` become `data_base64` (3.1.1: Binary data is always base64 in JSON).
 * Events come in valid (branded), so nothing is checked here.
 */
export function toJsonEnvelope(event: ValidCloudEvent): Record<string, unknown> {
  const { data } = event;
  if (!(data instanceof Uint8Array)) return { ...event };
  const envelope: Record<string, unknown> = { ...event, data_base64: encodeBase64(data) };
  delete envelope.data;
  return envelope;
}

export function serializeCloudEvent(event: ValidCloudEvent): string {
  return JSON.stringify(toJsonEnvelope(event));
}

export function serializeCloudEventBatch(events: ValidCloudEvent[]): string {
  return joinSerializedBatch(events.map(serializeCloudEvent));
}

/** The batch format (4.1) of events already serialized one by one: what JSON.stringify of the array writes. */
export function joinSerializedBatch(serialized: readonly string[]): string {
  return `[${serialized.join(",")}]`;
}
