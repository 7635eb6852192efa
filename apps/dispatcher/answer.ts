import { classify } from "./classify.ts";

/** What one delivery attempt got back (the whole body: a dead letter keeps it). */
export type Answer = { status: number | undefined; detail: string; failure: unknown; retryAfter: string | null };

/**
 * What became of one event of a push, for the dispatcher: `done` (processed or duplicate),
 * `held` (not attempted: an earlier event of its order was not applied; no attempt is counted),
 * `retry` (may succeed later), `rejected` (never will: dead-letter at once).
 */
export type EventVerdict = { kind: "done" } | { kind: "held" } | { kind: "retry"; answer: Answer } | { kind: "rejected"; answer: Answer };

/** How a whole request ended: per-event verdicts, or a verdict on the request itself. */
export type RequestVerdict = { kind: "events"; verdicts: EventVerdict[] } | { kind: "too_large" } | { kind: "rejected" } | { kind: "retry" };

type WireResult = { id?: unknown; outcome?: unknown; problem?: { status?: unknown; code?: unknown } };

const done: EventVerdict = { kind: "done" };

/**
 * No answer, throttled (429), or a gateway's word that the subscriber is down or busy (502, 503,
 * 504): true of every event the request carried, whichever they were. Any other failure of a
 * request as a whole (a 500, 408, 409) may lie in one of its events.
 */
export const aboutTheSubscriber = (answer: Answer) => answer.status === undefined || [429, 502, 503, 504].includes(answer.status);

/**
 * Reads a webhook's answer for the `ids` it carried. A 2xx with one result per event (our
 * webhooks, lib/http/event-outcomes.ts) gives each event its own verdict; a 2xx without them (an
 * outside receiver, binary mode) means every event was taken. Other statuses judge the request.
 */
export function readAnswer(answer: Answer, ids: string[]): RequestVerdict {
  const verdict = classify(answer.status);
  if (verdict !== "done") return { kind: verdict };
  const results = resultsOf(answer.detail);
  if (!results || results.length !== ids.length || results.some((r, i) => r.id !== ids[i])) return { kind: "events", verdicts: ids.map(() => done) };
  return { kind: "events", verdicts: results.map((result) => verdictOf(result, answer)) };
}

function resultsOf(body: string): WireResult[] | undefined {
  try {
    const parsed = JSON.parse(body) as { results?: unknown };
    return Array.isArray(parsed?.results) ? (parsed.results as WireResult[]) : undefined;
  } catch {
    return undefined;
  }
}

function verdictOf(result: WireResult, answer: Answer): EventVerdict {
  const problem = result.problem;
  const status = typeof problem?.status === "number" ? problem.status : answer.status;
  // The event's own problem is what its dead letter keeps (refusal.ts reads code and fields of it).
  const own: Answer = { status, detail: problem ? JSON.stringify(problem) : "", failure: undefined, retryAfter: answer.retryAfter };
  switch (result.outcome) {
    case "processed":
    case "duplicate":
      return done;
    case "rejected":
      return { kind: "rejected", answer: own };
    default:
      // "retry", and anything this dispatcher does not know yet: trying again is the safe reading.
      return problem?.code === "event.held" ? { kind: "held" } : { kind: "retry", answer: own };
  }
}
