import { type Decider, type Decision, reject } from "../../../lib/domain/index.ts";
import type { DomainEvent } from "../../../lib/events/index.ts";
import { messageFor } from "./messages.ts";

/** One notification per step and order; the key is also the provider's idempotency key. */
export const notificationKey = (event: DomainEvent) => `${event.type}:${event.data.orderId}`;

/** What the customer is sent, under its key. */
export type Message = { key: string; orderId: string; userId: string; type: string; subject: string; body: string };

/**
 * The notification row of an event's key, as this delivery finds it: none yet; claimed (this
 * delivery holds the send lease, with the message as recorded); busy (another delivery holds the
 * lease); or sent.
 */
export type NotificationState = { status: "none" } | { status: "claimed"; message: Message } | { status: "busy" } | { status: "sent" };

/** Send this message; the handler calls the notifier, then marks the row sent. */
export type SendMessage = { type: "notification.send"; message: Message };

/**
 * Each step reaches the customer once (docs/architecture.md#pitfalls-we-avoid: claim, send, then
 * record). Pure over the state of one key, so a batch is the same calls over rows loaded together.
 */
export const notificationDecider: Decider<NotificationState, DomainEvent, SendMessage> = {
  decide: decideNotification,
  evolve: (_state, { message }) => ({ status: "claimed", message }),
  initialState: () => ({ status: "none" }),
};

function decideNotification(event: DomainEvent, state: NotificationState): Decision<SendMessage> {
  switch (state.status) {
    case "none":
      return [{ type: "notification.send", message: draftFor(event) }];
    case "claimed":
      // A crashed sender's row is sent as it was recorded, so the record is what went out; if the
      // first send had reached the provider, the provider drops this one by its key.
      return [{ type: "notification.send", message: state.message }];
    case "busy":
      // Not a duplicate: if the holder dies, this delivery's retry must take over.
      return reject("notification.in_progress", `${notificationKey(event)} is being sent by another delivery`);
    case "sent":
      return [];
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** The message a first delivery records and sends. */
export function draftFor(event: DomainEvent): Message {
  const { orderId, userId } = event.data;
  return { key: notificationKey(event), orderId, userId, type: event.type, ...messageFor(event) };
}
