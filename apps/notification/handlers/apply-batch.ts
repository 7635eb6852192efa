import { isRejection } from "../../../lib/domain/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { EventOf, EventType } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import type { NotificationDeps } from "../deps.ts";
import { draftFor, type Message, type NotificationEvent, notificationDecider, notificationKey } from "../domain/notification.ts";
import { type NotifiedEvent, notifiedTypes } from "../domain/stages.ts";
import { type FoundNotification, loadNotifications, recordDecisions, settleSends } from "../store/notifications.ts";
import { sendLeaseSeconds } from "./notify.ts";

/** Orders sent to at once: a push of a hundred messages is a few provider round trips, within its limits. */
const sendConcurrency = 8;

/**
 * notify() for a whole pushed batch (WebhookOptions.applyBatch), in a number of statements that
 * does not grow with it: ONE transaction holds the batch's orders, loads their keys' rows and
 * stories, decides every event in turn (each order's story as the events before left it) and
 * records the claims and skips in one insert; then the messages go out (orders at once, each
 * order's in order) and every sent row is marked in one update. Each event gets notify()'s outcome
 * (apply-batch.unit.test.ts holds the two together).
 *
 * The webhook has no push transaction here (the send is outside), so giving up must leave what the
 * one-by-one path finishes: a key another delivery holds throws before anything is written; a
 * failed send gives the unsent claims their lease back and marks the sent ones, then throws, and
 * notify() finds the sent ones duplicates and takes the rest over at once. Never sent twice by us,
 * never lost (a send that reached the provider before failing is dropped by it, by its key).
 */
export async function applyBatch(deps: NotificationDeps, events: EventOf<EventType>[]): Promise<Outcome[]> {
  const notified = events.map(notifiedOrThrow);
  if (notified.length === 0) return [];
  const plan = await deps.db.transaction(async (tx) => {
    const loaded = await loadNotifications(tx, notified.map(draftFor), sendLeaseSeconds);
    const decided = decideInTurn(notified, loaded.found, loaded.storyStages);
    if (!(await recordDecisions(tx, decided.recorded, deps.clock.now(), sendLeaseSeconds))) {
      throw new AppError("notification.batch_conflict", "a row of the batch's keys appeared without the order's lock", { status: 503, retryable: true });
    }
    return decided;
  });
  // Logged once committed: a batch that throws before is applied again one by one, which logs its own.
  for (const { message } of plan.skipped) {
    deps.log.info({ orderId: message.orderId, type: message.type }, "notification: skipped, the customer heard of a later step already");
  }
  const { sent, failure } = await sendByOrder(deps, plan.sends);
  const wasSent = new Set(sent);
  const released = failure ? plan.sends.filter(({ key }) => !wasSent.has(key)).map(({ key }) => key) : [];
  await settleSends(deps.db, sent, released, deps.clock.now());
  if (failure) {
    throw new AppError("notification.batch_send_failed", `${failure.key} could not be sent; ${released.length} claims given back for event-by-event delivery`, {
      status: 503,
      retryable: true,
      cause: failure.error,
    });
  }
  return plan.outcomes;
}

type Plan = { outcomes: Outcome[]; recorded: NotificationEvent[]; sends: Message[]; skipped: NotificationEvent[] };

/**
 * notify()'s decisions, event by event, as the rows the ones before it wrote would let it decide:
 * a key decided earlier in the batch is a duplicate (its row is sent or skipped by then), and a
 * message sent raises its order's story, so an earlier step later in the batch is skipped. A key
 * another delivery holds is notify()'s retryable 503: the batch throws (nothing is written yet),
 * and the one-by-one path answers it event by event.
 */
function decideInTurn(events: NotifiedEvent[], found: Map<string, FoundNotification>, storyStages: Map<string, number>): Plan {
  const plan: Plan = { outcomes: [], recorded: [], sends: [], skipped: [] };
  const stages = new Map(storyStages);
  const decidedKeys = new Set<string>();
  for (const event of events) {
    const key = notificationKey(event);
    const { orderId } = event.data;
    if (decidedKeys.has(key)) {
      plan.outcomes.push("duplicate");
      continue;
    }
    decidedKeys.add(key);
    const state = found.get(key) ?? { status: "none" as const, storyStage: stages.get(orderId) ?? 0 };
    const decision = notificationDecider.decide(event, state);
    if (isRejection(decision)) throw new AppError(decision.rejected, decision.reason, { status: 503, retryable: true });
    if (decision.length === 0) {
      plan.outcomes.push("duplicate");
      continue;
    }
    // Only a first delivery records its decision; a taken-over claim's row is there already.
    if (state.status === "none") plan.recorded.push(...decision);
    for (const decided of decision) {
      if (decided.type === "notification.skip") plan.skipped.push(decided);
      else {
        plan.sends.push(decided.message);
        stages.set(orderId, Math.max(stages.get(orderId) ?? 0, decided.message.stage));
      }
    }
    plan.outcomes.push("processed");
  }
  return plan;
}

/**
 * Sends the messages with their keys as the provider's idempotency keys: different orders at once
 * (at most `sendConcurrency`), each order's in order. After a failure no send starts; the ones
 * under way finish, so that no claim is given back while its message may still be going out.
 */
async function sendByOrder(deps: NotificationDeps, messages: Message[]): Promise<{ sent: string[]; failure?: { key: string; error: unknown } }> {
  const orders = [...Map.groupBy(messages, (message) => message.orderId).values()];
  const sent: string[] = [];
  let failure: { key: string; error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < orders.length) {
      for (const { key, stage: _stage, ...content } of orders[next++]!) {
        if (failure !== undefined) return;
        try {
          await deps.notifier.send({ idempotencyKey: key, ...content });
          sent.push(key);
        } catch (error) {
          failure ??= { key, error };
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(sendConcurrency, orders.length) }, worker));
  return { sent, failure };
}

function notifiedOrThrow(event: EventOf<EventType>): NotifiedEvent {
  if ((notifiedTypes as readonly string[]).includes(event.type)) return event as NotifiedEvent;
  throw new AppError("notification.batch_unhandled", `notification has no message for ${event.type}`);
}
