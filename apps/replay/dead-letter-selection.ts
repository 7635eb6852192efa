import { AppError } from "../../lib/errors/index.ts";
import type { DeadLetterTopic, StoredDeadLetter } from "./dead-letter-reader.ts";
import { replayTarget } from "./replay-target.ts";

/** What `GET /admin/dead-letters` answers for each dead letter still waiting for a redrive. */
export type DeadLetterView = {
  deadLetterOffset: string;
  eventId?: string;
  type?: string;
  orderId: string;
  service: string;
  status?: number;
  reason: string;
  attempts?: number;
  topic?: string;
  partition?: number;
  offset?: string;
};

export type DeadLetterFilter = { service?: string; orderId?: string; type?: string; limit?: number };

/** One dead letter (by its offset on dead-letters), every one of an order, or every one of a type. */
export type RedriveSelection = { offset: bigint } | { orderId: string } | { type: string };

export function viewOf({ offset, letter }: StoredDeadLetter): DeadLetterView {
  const { event, origin } = letter;
  return {
    deadLetterOffset: String(offset),
    ...(event ? { eventId: event.id, type: event.type } : {}),
    orderId: orderIdOf({ offset, letter }),
    service: letter.service,
    ...(letter.status === undefined ? {} : { status: letter.status }),
    reason: letter.reason,
    ...(letter.attempts === undefined ? {} : { attempts: letter.attempts }),
    ...(origin ? { topic: origin.topic, partition: origin.partition, offset: String(origin.offset) } : {}),
  };
}

/** Every event is keyed by its orderId; the data says so too when the record was an event. */
function orderIdOf({ letter }: StoredDeadLetter): string {
  const data = letter.event?.data as { orderId?: unknown } | undefined;
  return typeof data?.orderId === "string" ? data.orderId : letter.key;
}

/** The dead letters not redriven yet, in the order they were dead-lettered. */
export function waiting(topic: DeadLetterTopic): StoredDeadLetter[] {
  return topic.letters.filter(({ offset }) => !topic.redriven.has(offset)).sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
}

export function matchesFilter(stored: StoredDeadLetter, filter: DeadLetterFilter): boolean {
  const view = viewOf(stored);
  return (!filter.service || view.service === filter.service) && (!filter.orderId || view.orderId === filter.orderId) && (!filter.type || view.type === filter.type);
}

export function matchesSelection(stored: StoredDeadLetter, selection: RedriveSelection): boolean {
  if ("offset" in selection) return stored.offset === selection.offset;
  if ("orderId" in selection) return orderIdOf(stored) === selection.orderId;
  return stored.letter.event?.type === selection.type;
}

/** The listing's query: a known service (422 otherwise), a positive limit. */
export function filterOf(query: Record<string, string | undefined>): DeadLetterFilter {
  const limit = query.limit ? Number(query.limit) : undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw invalid("limit", "a positive integer");
  const service = replayTarget(query.service);
  return { ...(service ? { service } : {}), ...(query.orderId ? { orderId: query.orderId } : {}), ...(query.type ? { type: query.type } : {}), ...(limit ? { limit } : {}) };
}

/** A redrive's body: exactly one of `offset` (a dead-letter offset), `orderId`, `type`. */
export function selectionOf(body: unknown): RedriveSelection {
  const { offset, orderId, type } = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const given = [offset, orderId, type].filter((value) => value !== undefined);
  if (given.length !== 1) throw invalid("body", "exactly one of offset, orderId, type");
  if (offset !== undefined) {
    if (!((typeof offset === "string" && /^\d+$/.test(offset)) || (typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0))) {
      throw invalid("offset", "a dead-letter offset");
    }
    return { offset: BigInt(offset) };
  }
  if (orderId !== undefined) return typeof orderId === "string" && orderId ? { orderId } : invalidField("orderId");
  return typeof type === "string" && type ? { type } : invalidField("type");
}

function invalidField(field: string): never {
  throw invalid(field, "a non-empty string");
}

function invalid(field: string, message: string): AppError {
  return new AppError("dead_letters.invalid_selection", `${field} must be ${message}`, { status: 422, issues: [{ field, message }] });
}
