import { AppError } from "../errors/index.ts";
import { decodeData, decodeText, encodeData, parseJson } from "./data-codec.ts";
import { parseCloudEvent } from "./envelope.ts";
import { invalidCloudEvent, unsupportedMediaType } from "./errors.ts";
import { serializeCloudEvent } from "./json-format.ts";
import { cloudEventsFormatOf, parseMediaType } from "./media-type.ts";
import { toCanonicalString } from "./type-system.ts";
import {
  type CloudEvent,
  type CloudEventAttributeValue,
  CloudEventErrorCode,
  CloudEventMediaType,
  type ValidCloudEvent,
} from "./types.ts";

/**
 * CloudEvents Kafka protocol binding 1.0.2. Writing uses binary mode (3.2) by default and
 * structured mode (3.3) on request; reading takes both modes:
 * - `content-type` prefixed `application/cloudevents` (any case): structured (3.3); only the JSON
 *   format is known, anything else (batch included: this binding has no batch mode) is 415.
 * - neither a `content-type` nor any `ce_` header: structured JSON too, since 3.3.1 makes the
 *   header optional for structured records while binary mode cannot exist without `ce_` headers.
 * - otherwise binary (3: the default); missing attributes then fail the envelope with 400.
 */

/**
 * A Kafka record as the binding sees it, declared here so the codec knows no transport: any
 * broker whose records have this shape (the broker port's do) takes and gives them as they are.
 */
export type KafkaMessage = { key: string; value: Uint8Array; headers: Record<string, string> };
export type KafkaRecord = KafkaMessage & { topic: string };

const PREFIX = "ce_";
// Carried elsewhere in binary mode: datacontenttype as `content-type` (3.2.1), data as the value.
const NOT_HEADERS = new Set(["datacontenttype", "data", "data_base64"]);

/** The opt-in "Key Mapper" of Kafka binding 3.1: the `partitionkey` extension, when present. */
export function partitionKeyOf(event: CloudEvent): string | undefined {
  const { partitionkey } = event;
  return typeof partitionkey === "string" && partitionkey !== "" ? partitionkey : undefined;
}

function recordKeyOf(key: string | undefined, event: ValidCloudEvent): string {
  const recordKey = key ?? partitionKeyOf(event);
  if (recordKey === undefined) {
    throw new AppError(CloudEventErrorCode.noKey, `No record key for event ${event.id}: pass one or set partitionkey`);
  }
  return recordKey;
}

/**
 * Binary mode (3.2). Kafka binding 3.1: the given key is the record key (the MUST default); pass
 * `undefined` to opt in to the `partitionkey` mapper. The event itself is never changed (no
 * attribute added).
 */
export function toKafkaRecord(topic: string, key: string | undefined, event: ValidCloudEvent): KafkaRecord {
  const recordKey = recordKeyOf(key, event);
  // Kafka binding 3.2.3: every other attribute is a `ce_` header, its canonical string in UTF-8.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (!NOT_HEADERS.has(name)) headers[PREFIX + name] = toCanonicalString(value as CloudEventAttributeValue);
  }
  const { contentType, body } = encodeData(event);
  if (contentType !== undefined) headers["content-type"] = contentType;
  return { topic, key: recordKey, value: body ?? new Uint8Array(), headers };
}

/**
 * Structured mode (3.3): the whole event in the JSON format as the value, keyed as `toKafkaRecord`
 * keys it. `extraHeaders` travel beside it (readers of structured records ignore them);
 * `content-type` is always the format's.
 */
export function toStructuredKafkaRecord(
  topic: string,
  key: string | undefined,
  event: ValidCloudEvent,
  extraHeaders: Record<string, string> = {},
): KafkaRecord {
  const headers = withoutContentType(extraHeaders);
  headers["content-type"] = CloudEventMediaType.structured;
  const value = new TextEncoder().encode(serializeCloudEvent(event));
  return { topic, key: recordKeyOf(key, event), value, headers };
}

/**
 * Reads either mode, and is a trust edge: whoever may write to the topic may publish anything, so
 * the event is parsed here and comes back branded valid. Throws AppError `cloudevent.invalid`
 * (400) or `cloudevent.unsupported_media_type` (415).
 */
export function fromKafkaRecord(record: KafkaMessage): ValidCloudEvent {
  const contentType = headerIgnoringCase(record.headers, "content-type");
  const names = Object.keys(record.headers);
  if (contentType?.trim().toLowerCase().startsWith("application/cloudevents")) {
    return readStructured(record.value, contentType);
  }
  if (contentType === undefined && !names.some((name) => name.startsWith(PREFIX))) {
    return readStructured(record.value, CloudEventMediaType.structured);
  }
  const attributes: Record<string, unknown> = {};
  for (const name of names.filter((header) => header.startsWith(PREFIX))) {
    const attribute = name.slice(PREFIX.length);
    if (NOT_HEADERS.has(attribute)) {
      throw invalidCloudEvent(`Header ${name} is not allowed in binary mode`, [
        { field: attribute, message: `must not be sent as the ${name} header in binary mode` },
      ]);
    }
    attributes[attribute] = record.headers[name];
  }
  return parseCloudEvent({ ...attributes, ...decodeData(record.value, contentType) });
}

function readStructured(value: Uint8Array, contentType: string): ValidCloudEvent {
  const mediaType = parseMediaType(contentType);
  if (!mediaType || cloudEventsFormatOf(mediaType) !== "json") {
    throw unsupportedMediaType(contentType, "only the JSON CloudEvents format is supported on Kafka");
  }
  return parseCloudEvent(parseJson(decodeText(value, mediaType, "value"), "value"));
}

function headerIgnoringCase(headers: Record<string, string>, wanted: string): string | undefined {
  const name = Object.keys(headers).find((candidate) => candidate.toLowerCase() === wanted);
  return name === undefined ? undefined : headers[name];
}

function withoutContentType(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-type"));
}
