import type { ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import { maxBodyBytes, maxEventsPerPush } from "../../lib/http/index.ts";
import { serializedBytes } from "./serialized-events.ts";

/** The receiver's body limit: the service frame refuses a larger body unread (413). */
export const maxPushBytes = maxBodyBytes;

export type PushLimits = { maxEvents: number; maxBytes: number };

export const receiverLimits: PushLimits = { maxEvents: maxEventsPerPush, maxBytes: maxPushBytes };

/** Bytes of one event in a batch body: `[` + events joined by `,` + `]`, as toSerializedBatchRequest writes it. */
export const eventBytes = serializedBytes;

/**
 * Cuts a poll into batches the receiver takes: at most `maxEvents` and `maxBytes` each, events in
 * their order. An event larger than `maxBytes` on its own goes alone (refused with 413, it is
 * dead-lettered with the reason instead of holding the partition).
 */
export function cutBatches<T extends { event: ValidCloudEvent }>(items: T[], limits: PushLimits = receiverLimits): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = eventBytes(item.event);
    const full = current.length >= limits.maxEvents || bytes + 1 + size > limits.maxBytes;
    if (current.length > 0 && full) {
      batches.push(current);
      current = [];
      bytes = 2;
    }
    bytes += size + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
