import { fromKafkaRecord, type KafkaMessage, type KafkaRecord, toStructuredKafkaRecord } from "./kafka.ts";
import type { ValidCloudEvent } from "./types.ts";

/**
 * A dead letter: a record a subscriber gave up on, kept where someone can look at it and replay it.
 * One module writes and reads it, so the side that dead-letters and the side that replays agree:
 * - an event is kept in structured mode, the whole event in the value, so the record reads alone;
 *   a record that was no readable event is kept as it came, value and headers untouched;
 * - `dl-service`, `dl-status` and `dl-reason` say who gave up and why;
 * - the key is the key of the record it came from, so a replay puts the event back in line with
 *   the other events of that key (same partition, same order).
 */
export const DeadLetterHeader = { service: "dl-service", status: "dl-status", reason: "dl-reason" } as const;

export type DeadLetterCause = {
  /** The subscriber that gave up. */
  service: string;
  /** Its webhook's last answer; absent when there was none (no answer, or never delivered). */
  status?: number;
  reason: string;
};

/** Headers carry the reason, not a whole error dump. */
const MAX_REASON_LENGTH = 1000;

export type DeadLetter = DeadLetterCause & {
  key: string;
  /** Absent when the record is no readable CloudEvent. */
  event?: ValidCloudEvent;
};

/** An event the subscriber refused, or that kept failing; `key` is its original record's key. */
export function deadLetterOfEvent(topic: string, key: string, event: ValidCloudEvent, cause: DeadLetterCause): KafkaRecord {
  return toStructuredKafkaRecord(topic, key, event, causeHeaders(cause));
}

/** A record that could not be read as an event: no retry can fix it, so it is kept untouched. */
export function deadLetterOfRecord(topic: string, record: KafkaMessage, cause: DeadLetterCause): KafkaRecord {
  return { topic, key: record.key, value: record.value, headers: { ...record.headers, ...causeHeaders(cause) } };
}

/** Reads what `deadLetterOfEvent` or `deadLetterOfRecord` wrote; never throws. */
export function readDeadLetter(record: KafkaMessage): DeadLetter {
  const { headers } = record;
  const status = Number.parseInt(headers[DeadLetterHeader.status] ?? "", 10);
  return {
    key: record.key,
    service: headers[DeadLetterHeader.service] ?? "",
    ...(Number.isInteger(status) ? { status } : {}),
    reason: headers[DeadLetterHeader.reason] ?? "",
    ...eventOf(record),
  };
}

function eventOf(record: KafkaMessage): { event?: ValidCloudEvent } {
  try {
    return { event: fromKafkaRecord(record) };
  } catch {
    return {};
  }
}

function causeHeaders({ service, status, reason }: DeadLetterCause): Record<string, string> {
  return {
    [DeadLetterHeader.service]: service,
    [DeadLetterHeader.status]: status === undefined ? "" : String(status),
    [DeadLetterHeader.reason]: reason.slice(0, MAX_REASON_LENGTH),
  };
}
