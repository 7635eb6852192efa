import { AppError } from "../../lib/errors/index.ts";
import { toBinaryRequest, toSerializedBatchRequest, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import type { PushMode } from "./dispatcher.ts";
import { serializedEvent } from "./serialized-events.ts";

type Carries = { event: ValidCloudEvent };

/** A binary-mode push carries one event: `handle` and the poison split send them one by one. */
export function requestOf(mode: PushMode, url: string, pending: Carries[]): Request {
  switch (mode) {
    case "batch":
      return toSerializedBatchRequest(url, pending.map((p) => serializedEvent(p.event)));
    case "binary":
      if (pending.length !== 1) throw new AppError("dispatcher.binary_batch", `binary mode pushes one event, not ${pending.length}`);
      return toBinaryRequest(url, pending[0]!.event);
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

/**
 * Standard Webhooks' `webhook-id`: the same for every attempt of one batch (a receiver may use it
 * to spot a redelivery), different for another batch: a digest of the subscriber and event ids.
 */
export function batchId(service: string, pending: Carries[]): string {
  const hasher = new Bun.CryptoHasher("sha256").update(service);
  for (const { event } of pending) hasher.update(`\n${event.source}\n${event.id}`);
  return `batch_${hasher.digest("base64url").slice(0, 32)}`;
}

/** A batch the receiver found too large, cut in two, in order (the first half the larger). */
export function halves<T>(items: T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}
