import { fromKafkaRecord, type KafkaMessage, type KafkaRecord, toStructuredKafkaRecord } from "./kafka.ts";
import type { ValidCloudEvent } from "./types.ts";

/**
 * A dead letter: a record a subscriber gave up on, kept where someone can look at it and replay it.
 * One module writes and reads it, so the side that dead-letters and the side that replays agree:
 * - an event is kept in structured mode, the whole event in the value, so the record reads alone;
 *   a record that was no readable event is kept as it came, value and headers untouched;
 * - `dl-service`, `dl-status` and `dl-reason` say who gave up and why, `dl-attempts` after how many
 *   deliveries, and `dl-topic`, `dl-partition`, `dl-offset` where the original record was;
 * - the key is the key of the record it came from, so a replay puts the event back in line with
 *   the other events of that key (same partition, same order).
 */
export const DeadLetterHeader = {
  service: "dl-service",
  status: "dl-status",
  reason: "dl-reason",
  attempts: "dl-attempts",
  topic: "dl-topic",
  partition: "dl-partition",
  offset: "dl-offset",
  redriven: "dl-redriven",
  redriveFor: "dl-redrive-for",
} as const;

/** Where the record given up on was. */
export type DeadLetterOrigin = { topic: string; partition: number; offset: bigint };

export type DeadLetterCause = {
  /** The subscriber that gave up. */
  service: string;
  /** Its webhook's last answer; absent when there was none (no answer, or never delivered). */
  status?: number;
  reason: string;
  /** Deliveries tried; 0 when the record was never delivered (it was no readable event). */
  attempts: number;
  origin: DeadLetterOrigin;
};

/** Headers carry the reason, not a whole error dump. */
const MAX_REASON_LENGTH = 1000;

/** As read back: `attempts` and `origin` are absent on a dead letter written before they were kept. */
export type DeadLetter = Omit<DeadLetterCause, "attempts" | "origin"> & {
  attempts?: number;
  origin?: DeadLetterOrigin;
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
  const status = integerHeader(headers, DeadLetterHeader.status);
  const attempts = integerHeader(headers, DeadLetterHeader.attempts);
  return {
    key: record.key,
    service: headers[DeadLetterHeader.service] ?? "",
    ...(status === undefined ? {} : { status }),
    reason: headers[DeadLetterHeader.reason] ?? "",
    ...(attempts === undefined ? {} : { attempts }),
    ...originOf(headers),
    ...eventOf(record),
  };
}

/**
 * A redrive leaves one marker per dead letter it put back, on the dead-letters topic itself: the
 * topic keeps both, so what was redriven is known to every later reader, with no other store.
 */
export function redriveMarker(topic: string, key: string, deadLetterOffset: bigint): KafkaRecord {
  return { topic, key, value: new Uint8Array(), headers: { [DeadLetterHeader.redriven]: String(deadLetterOffset) } };
}

/**
 * An event a redrive puts back on its topic, marked with the subscriber whose dead letter it was:
 * that subscriber's dispatcher unparks the order when the event comes (the others take it as any
 * record, and answer "duplicate" if they had it).
 */
export function redriven(record: KafkaRecord, services: Iterable<string>): KafkaRecord {
  return { ...record, headers: { ...record.headers, [DeadLetterHeader.redriveFor]: [...services].join(",") } };
}

/** The subscribers a redriven event was put back for; none for any other record. */
export function redrivenFor(record: KafkaMessage): string[] {
  return (record.headers[DeadLetterHeader.redriveFor] ?? "").split(",").filter(Boolean);
}

/** The dead-letter offset a marker says was redriven; undefined for a dead letter. */
export function redrivenOffsetOf(record: KafkaMessage): bigint | undefined {
  const offset = record.headers[DeadLetterHeader.redriven];
  return offset !== undefined && /^\d+$/.test(offset) ? BigInt(offset) : undefined;
}

function integerHeader(headers: Record<string, string>, name: string): number | undefined {
  const value = Number.parseInt(headers[name] ?? "", 10);
  return Number.isInteger(value) ? value : undefined;
}

function originOf(headers: Record<string, string>): { origin?: DeadLetterOrigin } {
  const topic = headers[DeadLetterHeader.topic];
  const partition = integerHeader(headers, DeadLetterHeader.partition);
  const offset = headers[DeadLetterHeader.offset] ?? "";
  if (!topic || partition === undefined || !/^\d+$/.test(offset)) return {};
  return { origin: { topic, partition, offset: BigInt(offset) } };
}

function eventOf(record: KafkaMessage): { event?: ValidCloudEvent } {
  try {
    return { event: fromKafkaRecord(record) };
  } catch {
    return {};
  }
}

function causeHeaders({ service, status, reason, attempts, origin }: DeadLetterCause): Record<string, string> {
  return {
    [DeadLetterHeader.service]: service,
    [DeadLetterHeader.status]: status === undefined ? "" : String(status),
    [DeadLetterHeader.reason]: reason.slice(0, MAX_REASON_LENGTH),
    [DeadLetterHeader.attempts]: String(attempts),
    [DeadLetterHeader.topic]: origin.topic,
    [DeadLetterHeader.partition]: String(origin.partition),
    [DeadLetterHeader.offset]: String(origin.offset),
  };
}
