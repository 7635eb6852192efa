import { AppError } from "../../lib/errors/index.ts";
import type { DeadLetterOrigin, ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import { aboutTheSubscriber, type Answer, type EventVerdict, readAnswer } from "./answer.ts";
import { cutBatches } from "./batches.ts";
import { type RetryPolicy, retryDelayMs } from "./classify.ts";
import type { Parking } from "./parking.ts";
import { halves } from "./push-request.ts";

/** An event on its way to one subscriber, with the record's key (its order) and place. */
export type Item = {
  key: string;
  event: ValidCloudEvent;
  origin: DeadLetterOrigin;
  /** Put back on the log by a redrive of this subscriber's dead letters: it unparks its order. */
  redriven: boolean;
  attempts: number;
};

export type DeliveryDeps = {
  /** Batch mode sends several events per request; binary mode one. */
  batched: boolean;
  /** One signed attempt of a request carrying these events, in order. */
  attempt(items: Item[], signal: AbortSignal | undefined): Promise<Answer>;
  /** Puts events on dead-letters, in order, with why. */
  deadLetter(items: Item[], answer: Answer, reason?: string): Promise<void>;
  parking: Parking;
  policy: RetryPolicy;
  /** Waits between rounds; resolves early (then the loop throws) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
  isStopping(): boolean;
};

const held: EventVerdict = { kind: "held" };

/**
 * Delivers `items` (in log order) until each is done or dead-lettered, calling `settled(key)` as
 * soon as an order's events are all finished, so the next batch's events of that order may go.
 * Each round pushes every event still waiting; the webhook answers each one: done ones leave,
 * failed ones (and the events of their order after them, held back) go again after a backoff,
 * counted per event. An event out of attempts, or refused, is dead-lettered and its order parked.
 * Throws only when stopping or on a failure to dead-letter: nothing of the unfinished is lost, the
 * broker delivers it again.
 */
export async function deliverInOrder(deps: DeliveryDeps, items: Item[], signal: AbortSignal | undefined, settled: (key: string) => void): Promise<void> {
  const { parking, policy } = deps;
  let waiting = items;
  for (;;) {
    waiting = await parkBlocked(deps, waiting);
    settleFinished(items, waiting, settled);
    if (waiting.length === 0) return;
    if (deps.isStopping() || signal?.aborted) throw stopping();
    const verdicts = await pushRound(deps, waiting, signal);
    const next: Item[] = [];
    let delay = 0;
    for (const item of waiting) {
      const verdict = verdicts.get(item) ?? held;
      if (verdict.kind === "done") continue;
      if (verdict.kind === "held" || parking.blockerOf(item.key)) {
        next.push(item);
        continue;
      }
      item.attempts++;
      if (verdict.kind === "retry" && item.attempts < policy.maxAttempts) {
        next.push(item);
        delay = Math.max(delay, retryDelayMs(policy, item.attempts - 1, verdict.answer.status, verdict.answer.retryAfter));
        continue;
      }
      await deps.deadLetter([item], verdict.answer);
      parking.park(item.key, item.event.id);
    }
    // Only orders still retrying wait; those parked this round are dead-lettered at once.
    if (next.some((item) => !parking.blockerOf(item.key))) await deps.sleep(delay, signal);
    waiting = next;
  }
}

/** Dead-letters, in order, the events of parked orders (a redriven event unparks its order first). */
async function parkBlocked(deps: DeliveryDeps, waiting: Item[]): Promise<Item[]> {
  const left: Item[] = [];
  for (const item of waiting) {
    if (item.redriven) deps.parking.unpark(item.key);
    const blocker = deps.parking.blockerOf(item.key);
    if (blocker === undefined) left.push(item);
    else {
      const reason = `parked behind ${blocker}: an earlier event of order ${item.key} is in dead-letters; redrive the order to deliver them in order`;
      await deps.deadLetter([item], { status: undefined, detail: reason, failure: undefined, retryAfter: null }, "parked");
    }
  }
  return left;
}

function settleFinished(all: Item[], waiting: Item[], settled: (key: string) => void) {
  const open = new Set(waiting.map((item) => item.key));
  for (const item of all) if (!open.has(item.key)) settled(item.key);
}

/**
 * One push of every waiting event: in batches cut below the receiver's limits (one per request in
 * binary mode), in order. Once an event of an order did not go through, the order's later events
 * in this round are held back, not sent. A 413 halves the request; a request refused as a whole
 * (400/415/422) is sent again event by event, to find the one at fault. A request of several orders
 * failing as a whole for a reason that may lie in one of its events (a 500: not the subscriber
 * being down or busy) is sent again order by order in the same round, charging nothing for the
 * joint failure: each order is judged on its own answer, and an innocent one is never dead-lettered
 * for a poison event that shared its partition's batch.
 */
async function pushRound(deps: DeliveryDeps, waiting: Item[], signal: AbortSignal | undefined): Promise<Map<Item, EventVerdict>> {
  const verdicts = new Map<Item, EventVerdict>();
  const failedKeys = new Set<string>();
  const record = (item: Item, verdict: EventVerdict) => {
    verdicts.set(item, verdict);
    if (verdict.kind !== "done") failedKeys.add(item.key);
  };
  const send = async (group: Item[]): Promise<void> => {
    const live = group.filter((item) => (failedKeys.has(item.key) ? void record(item, held) : true));
    if (live.length === 0) return;
    const answer = await deps.attempt(live, signal);
    const verdict = readAnswer(answer, live.map((item) => item.event.id));
    switch (verdict.kind) {
      case "events":
        return live.forEach((item, i) => record(item, verdict.verdicts[i]!));
      case "too_large":
        if (live.length > 1) for (const half of halves(live)) await send(half);
        else record(live[0]!, { kind: "rejected", answer });
        return;
      case "rejected":
        if (live.length > 1) for (const one of live) await send([one]);
        else record(live[0]!, { kind: "rejected", answer });
        return;
      case "retry":
        if (!aboutTheSubscriber(answer) && new Set(live.map((item) => item.key)).size > 1) {
          for (const order of Map.groupBy(live, (item) => item.key).values()) await send(order);
          return;
        }
        return live.forEach((item) => record(item, { kind: "retry", answer }));
      default: {
        const unreachable: never = verdict;
        return unreachable;
      }
    }
  };
  if (deps.batched) for (const batch of cutBatches(waiting)) await send(batch);
  else for (const item of waiting) await send([item]);
  return verdicts;
}

export const stopping = () => new AppError("dispatcher.stopping", "stopping or revoked; the records will be delivered again");
