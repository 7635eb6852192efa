import { type Decider, type Decision, reject } from "../../../lib/domain/index.ts";
import { messageFor } from "./messages.ts";
import { type NotifiedEvent, stageOf } from "./stages.ts";

/** One notification per step and order; the key is also the provider's idempotency key. */
export const notificationKey = (event: NotifiedEvent) => `${event.type}:${event.data.orderId}`;

/** What the customer is sent, under its key, and where it stands in the order's story. */
export type Message = { key: string; orderId: string; userId: string; type: string; stage: number; subject: string; body: string };

/**
 * The notification row of an event's key, as this delivery finds it: none yet (with the latest
 * stage of the order's story the customer was sent, or is being sent); claimed (this delivery holds
 * the send lease, with the message as recorded); busy (another delivery holds the lease); sent; or
 * skipped (the customer had heard of a later step).
 */
export type NotificationState =
  | { status: "none"; storyStage: number }
  | { status: "claimed"; message: Message }
  | { status: "busy" }
  | { status: "sent" }
  | { status: "skipped" };

/** Send this message; the handler calls the notifier, then marks the row sent. */
export type SendMessage = { type: "notification.send"; message: Message };
/** Record this message as skipped, never sent: it would take the order's story backwards. */
export type SkipMessage = { type: "notification.skip"; message: Message };
export type NotificationEvent = SendMessage | SkipMessage;

/**
 * Each step reaches the customer once (docs/architecture.md#pitfalls-we-avoid: claim, send, then
 * record), and never after a later step (stages.ts). Pure over the state of one key and its order's
 * story, so a batch is the same calls over rows loaded together.
 */
export const notificationDecider: Decider<NotificationState, NotifiedEvent, NotificationEvent> = {
  decide: decideNotification,
  evolve: (_state, { type, message }) => (type === "notification.send" ? { status: "claimed", message } : { status: "skipped" }),
  initialState: () => ({ status: "none", storyStage: 0 }),
};

function decideNotification(event: NotifiedEvent, state: NotificationState): Decision<NotificationEvent> {
  switch (state.status) {
    case "none": {
      const message = draftFor(event);
      return [{ type: message.stage < state.storyStage ? "notification.skip" : "notification.send", message }];
    }
    case "claimed":
      // A crashed sender's row is sent as it was recorded, so the record is what went out; if the
      // first send had reached the provider, the provider drops this one by its key.
      return [{ type: "notification.send", message: state.message }];
    case "busy":
      // Not a duplicate: if the holder dies, this delivery's retry must take over.
      return reject("notification.in_progress", `${notificationKey(event)} is being sent by another delivery`);
    case "sent":
    case "skipped":
      return [];
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** The message a first delivery records and sends. */
export function draftFor(event: NotifiedEvent): Message {
  const { orderId, userId } = event.data;
  return { key: notificationKey(event), orderId, userId, type: event.type, stage: stageOf[event.type], ...messageFor(event) };
}
