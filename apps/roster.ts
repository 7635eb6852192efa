import { topicsFor } from "../lib/events/index.ts";
import { inventory } from "./inventory/service.ts";
import { notification } from "./notification/service.ts";
import { order } from "./order/service.ts";
import { payment } from "./payment/service.ts";
import { shipping } from "./shipping/service.ts";

/**
 * Every service of the flow, once. The process runner, `bun run dev`, the dispatcher (one consumer
 * group per service, topics from the catalogue), the relay (every outbox), compose.yaml and
 * docs/events.md are all derived from this list: a new service is its folder plus one line here.
 */
export const roster = [order, payment, inventory, shipping, notification] as const;

export type ServiceName = (typeof roster)[number]["name"];
export type RosterEntry = (typeof roster)[number];

/** What the dispatcher consumes for each service: its types, and the topics that carry them. */
export const subscriptions = roster.map((service) => ({
  service: service.name as ServiceName,
  types: service.subscribes,
  topics: topicsFor(service.subscribes),
  concurrency: "pushConcurrency" in service ? service.pushConcurrency : undefined,
}));

export const outboxes = roster.flatMap((service) => ("outbox" in service && service.outbox ? [service.outbox] : []));

export function findService(name: string): RosterEntry | undefined {
  return roster.find((service) => service.name === name);
}
