import type { Broker, ResetPoint } from "../../lib/broker/index.ts";
import { AppError } from "../../lib/errors/index.ts";
import { subscriptions } from "../roster.ts";
import { replayTarget } from "./replay-target.ts";

/** The consumer group through which the dispatcher delivers to `service` (apps/dispatcher/dispatcher.ts). */
export const dispatcherGroup = (service: string) => `dispatcher.${service}`;

/**
 * Replays one subscription: moves the dispatcher's consumer group of `service` back to `from` on
 * every topic the service subscribes to, so that the dispatcher delivers those events again. Safe
 * because every handler is idempotent (docs/architecture.md#idempotency): a replay from the start
 * changes no state. The group must have no running member: stop the dispatcher first.
 */
export async function replaySubscription(broker: Broker, service: string, from: ResetPoint): Promise<{ group: string; topics: string[] }> {
  const name = replayTarget(service);
  const subscription = subscriptions.find((entry) => entry.service === name);
  if (!subscription) throw new AppError("replay.subscription_required", "name the subscription to replay", { status: 422 });
  const group = dispatcherGroup(subscription.service);
  await broker.resetGroup(group, subscription.topics, from);
  return { group, topics: subscription.topics };
}
