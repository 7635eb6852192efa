import { aboutTheSubscriber, type Answer } from "./answer.ts";
import { eventBytes, type PushLimits, receiverLimits } from "./batches.ts";
import type { Item } from "./delivery.ts";

/** One attempt of a request carrying these events, in order (dispatcher.ts signs and sends it). */
export type Send = (items: Item[], signal: AbortSignal | undefined) => Promise<Answer>;

export type PushQueueOptions = {
  /** Requests to the subscriber in flight at once. */
  concurrency: number;
  limits?: PushLimits;
};

/** See createPushQueue: what one joined request may carry at most. */
export const maxJoinedEvents = 100;

/**
 * Requests in flight to one subscriber unless told otherwise (DISPATCH_CONCURRENCY): one. A push
 * costs a service about as much with one event as with a hundred (a transaction, a few statements,
 * its HTTP and signature), so under load fewer and fuller pushes settle more orders: `bun run bench
 * --quick` with 60 orders in flight measured 136 completed orders/s with one against 84 with four.
 */
export const defaultPushConcurrency = 1;

type Waiting = {
  items: Item[];
  signal: AbortSignal | undefined;
  answer(answer: Answer): void;
  /** Answered (or abandoned): never sent again. */
  settled(): boolean;
  /** Goes in a request of its own: its joined request was judged as a whole. */
  alone?: boolean;
};

/**
 * The pushes of one subscription, at most `concurrency` requests at a time. Attempts that find
 * every slot taken wait, and when a slot frees, those waiting go out TOGETHER as one request (cut
 * below the receiver's limits): batches grow with the load, from what piles up while earlier
 * requests are in flight, never from a timer. When the subscriber keeps up, each attempt goes
 * alone and at once.
 *
 * A joined request is answered per event (our webhooks list one result per event, by id), and
 * each attempt gets its own events' results back. No answer, a 429, 502, 503 or 504 is about the
 * subscriber (down, busy, unreachable), not the events: every attempt in the request gets it and backs off, as
 * it would have alone. A 2xx without one result per event (an outside receiver) took every event,
 * as it would have taken each part (answer.ts reads it so): every attempt gets it. Any other answer
 * on the request as a whole (a 500, 413, 400/415/422) may be caused by one attempt's events: the
 * attempts go back to the head of the queue, each to be sent ALONE (still within `concurrency`),
 * and each is judged on its own answer.
 * An innocent batch is never charged for another's failure.
 *
 * A joined request carries at most `maxJoinedEvents`: a slow subscriber makes events pile up, and
 * one request of hundreds could outlast the delivery timeout; its events would then be retried
 * while it still runs, and find their claims held.
 *
 * An attempt whose signal aborts is answered at once (as no answer); a joined request is itself
 * abandoned only when every attempt in it was.
 */
export function createPushQueue(send: Send, options: PushQueueOptions): Send {
  const { concurrency } = options;
  const limits = { ...(options.limits ?? receiverLimits), maxEvents: Math.min((options.limits ?? receiverLimits).maxEvents, maxJoinedEvents) };
  const waiting: Waiting[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < concurrency && waiting.length > 0) {
      const joined = takeJoinable(waiting, limits);
      inFlight++;
      void pushJoined(send, joined)
        .then((again) => waiting.unshift(...again.filter((w) => !w.settled())))
        // `send` answers failures itself (dispatcher.ts); should it throw, no attempt may hang.
        .catch((error: unknown) => joined.forEach((w) => w.answer({ status: undefined, detail: String(error), failure: error, retryAfter: null })))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return (items, signal) =>
    new Promise<Answer>((resolve) => {
      if (signal?.aborted) return resolve(abandoned());
      let settled = false;
      const answer = (a: Answer) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(a);
      };
      const entry: Waiting = { items, signal, answer, settled: () => settled };
      const onAbort = () => {
        const at = waiting.indexOf(entry);
        if (at >= 0) waiting.splice(at, 1);
        answer(abandoned());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiting.push(entry);
      pump();
    });
}

/** The first waiting attempts, in order, as many as fit in one request (batches.ts's limits); at least one. */
function takeJoinable(waiting: Waiting[], limits: PushLimits): Waiting[] {
  let count = 0;
  let events = 0;
  let bytes = 1; // "[" and "]", and a "," before every event but the first
  for (const entry of waiting) {
    if (entry.alone && count > 0) break;
    if (entry.alone) return waiting.splice(0, 1);
    const more = entry.items.reduce((sum, item) => sum + 1 + eventBytes(item.event), 0);
    if (count > 0 && (events + entry.items.length > limits.maxEvents || bytes + more > limits.maxBytes)) break;
    count++;
    events += entry.items.length;
    bytes += more;
  }
  return waiting.splice(0, count);
}

/** Sends one request; returns the attempts to send again, each alone (see createPushQueue). */
async function pushJoined(send: Send, joined: Waiting[]): Promise<Waiting[]> {
  if (joined.length === 1) {
    const [only] = joined;
    only!.answer(await send(only!.items, only!.signal));
    return [];
  }
  const items = joined.flatMap((w) => w.items);
  const answer = await send(items, allAborted(joined.map((w) => w.signal)));
  const shares = splitAnswer(answer, joined.map((w) => w.items));
  if (shares) {
    joined.forEach((w, i) => w.answer(shares[i]!));
    return [];
  }
  if (aboutTheSubscriber(answer) || tookEverything(answer)) {
    joined.forEach((w) => w.answer(answer));
    return [];
  }
  for (const w of joined) w.alone = true;
  return joined;
}

/** A 2xx that splitAnswer could not share out: no per-event results, so every event was taken. */
const tookEverything = (answer: Answer) => answer.status !== undefined && answer.status >= 200 && answer.status < 300;

/** Each attempt's share of a per-event answer; undefined when the answer is not one result per event, by id. */
function splitAnswer(answer: Answer, parts: Item[][]): Answer[] | undefined {
  if (answer.status === undefined || answer.status < 200 || answer.status >= 300) return undefined;
  let results: Array<{ id?: unknown }>;
  try {
    const parsed = JSON.parse(answer.detail) as { results?: unknown };
    if (!Array.isArray(parsed?.results)) return undefined;
    results = parsed.results as Array<{ id?: unknown }>;
  } catch {
    return undefined;
  }
  const ids = parts.flat().map((item) => item.event.id);
  if (results.length !== ids.length || results.some((r, i) => r.id !== ids[i])) return undefined;
  let from = 0;
  return parts.map((part) => {
    const share = results.slice(from, (from += part.length));
    return { ...answer, detail: JSON.stringify({ results: share }) };
  });
}

/** Aborts once every one of `signals` has (an attempt without a signal never abandons the request). */
function allAborted(signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  if (signals.some((s) => s === undefined)) return undefined;
  const controller = new AbortController();
  const check = () => signals.every((s) => s!.aborted) && controller.abort();
  for (const s of signals) s!.addEventListener("abort", check, { once: true });
  check();
  return controller.signal;
}

const abandoned = (): Answer => ({ status: undefined, detail: "abandoned: the delivery was stopped or revoked", failure: new Error("abandoned"), retryAfter: null });
