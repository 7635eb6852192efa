import { decodeData, decodeText, encodeData, parseJson } from "./data-codec.ts";
import { parseCloudEvent, parseCloudEventBatch } from "./envelope.ts";
import { invalidCloudEvent, unsupportedMediaType } from "./errors.ts";
import { joinSerializedBatch, serializeCloudEvent } from "./json-format.ts";
import { cloudEventsFormatOf, parseMediaType } from "./media-type.ts";
import { decodeHeaderValue, encodeHeaderValue } from "./percent-encoding.ts";
import { toCanonicalString } from "./type-system.ts";
import { type CloudEventAttributeValue, CloudEventMediaType, type ContentMode, type ValidCloudEvent } from "./types.ts";

/**
 * CloudEvents HTTP protocol binding 1.0.2, requests in both directions.
 *
 * Which mode, and 400 or 415 (HTTP binding 3: the Content-Type decides first):
 * 1. Content-Type prefixed `application/cloudevents` (case-insensitive) is a CloudEvents format:
 *    `application/cloudevents+json` is structured, `application/cloudevents-batch+json` is batch;
 *    any other format (`+xml`, `+avro`, bare) or an unparseable value is 415, even with `ce-`
 *    headers: the sender said the body is an event in that format, and we cannot read it (3 lets an
 *    intermediary forward such a message as binary; we are a consumer, not a forwarder).
 * 2. Otherwise a `ce-specversion` header makes it binary mode, with any Content-Type or none.
 * 3. Otherwise 415: nothing says the request is a CloudEvent.
 * Once the mode is known, anything malformed is 400: JSON that does not parse, a body that is not
 * valid in its charset, a bad header value (percent-encoding, quotes), a `ce-datacontenttype`
 * header (3.1.1), an event or batch that fails the envelope. A charset TextDecoder does not know
 * is 415.
 *
 * This is a trust edge: what comes back is parsed once, here, and branded valid. The writers below
 * take branded events and do not check them again.
 */
export type ReadResult = { mode: ContentMode; events: ValidCloudEvent[] };

export type ReadOptions = {
  /** Why this receiver does not take binary mode, if it does not: such a request is 415, unread. */
  refuseBinary?: string;
};

export async function readCloudEvents(request: Request, options: ReadOptions = {}): Promise<ReadResult> {
  const contentType = request.headers.get("content-type") ?? undefined;
  if (contentType?.trim().toLowerCase().startsWith("application/cloudevents")) {
    const mediaType = parseMediaType(contentType);
    const format = mediaType && cloudEventsFormatOf(mediaType);
    if (!mediaType || !format || format === "unknown") {
      throw unsupportedMediaType(contentType, "only the JSON and JSON batch CloudEvents formats are supported");
    }
    const body = parseJson(decodeText(await bytesOf(request), mediaType, "body"), "body");
    return format === "json"
      ? { mode: "structured", events: [parseCloudEvent(body)] }
      : { mode: "batch", events: parseCloudEventBatch(body) };
  }
  if (request.headers.has("ce-specversion")) {
    if (options.refuseBinary !== undefined) throw unsupportedMediaType(contentType, options.refuseBinary);
    return { mode: "binary", events: [await readBinary(request, contentType)] };
  }
  throw unsupportedMediaType(
    contentType,
    "expected a CloudEvents media type (structured or batch) or ce- headers with ce-specversion (binary)",
  );
}

// Attributes that a binary-mode message carries elsewhere: datacontenttype in Content-Type
// (3.1.1), data in the body (3.1.2); data_base64 is a JSON-format member, not an attribute.
const NOT_HEADERS = new Set(["datacontenttype", "data", "data_base64"]);

async function readBinary(request: Request, contentType: string | undefined): Promise<ValidCloudEvent> {
  const attributes: Record<string, unknown> = {};
  // CloudEvents HTTP binding 3.1.3.1: header names are case-insensitive; Headers lower-cases them.
  request.headers.forEach((raw, header) => {
    if (!header.startsWith("ce-")) return;
    const name = header.slice(3);
    if (NOT_HEADERS.has(name)) {
      throw invalidCloudEvent(`Header ${header} is not allowed in binary mode`, [
        { field: name, message: `must not be sent as the ${header} header in binary mode` },
      ]);
    }
    attributes[name] = decodeHeaderValue(raw, name);
  });
  return parseCloudEvent({ ...attributes, ...decodeData(await bytesOf(request), contentType) });
}

async function bytesOf(request: Request): Promise<Uint8Array> {
  return new Uint8Array(await request.arrayBuffer());
}

/** HTTP binding 3.1: attributes as percent-encoded `ce-` headers, `data` as the body. */
export function toBinaryRequest(url: string, event: ValidCloudEvent, init: RequestInit = {}): Request {
  const headers = headersWithout(init.headers, (name) => name.startsWith("ce-") || name === "content-type");
  for (const [name, value] of Object.entries(event)) {
    if (NOT_HEADERS.has(name)) continue;
    headers.set(`ce-${name}`, encodeHeaderValue(toCanonicalString(value as CloudEventAttributeValue)));
  }
  const { contentType, body } = encodeData(event);
  if (contentType !== undefined) headers.set("content-type", contentType);
  return new Request(url, { method: "POST", ...init, headers, body });
}

/** HTTP binding 3.2: the whole event in the JSON format. */
export function toStructuredRequest(url: string, event: ValidCloudEvent, init: RequestInit = {}): Request {
  const body = serializeCloudEvent(event);
  return jsonRequest(url, `${CloudEventMediaType.structured}; charset=utf-8`, body, init);
}

/** HTTP binding 3.3: several events as one JSON batch. The binding sends a batch only when asked. */
export function toBatchRequest(url: string, events: ValidCloudEvent[], init: RequestInit = {}): Request {
  return toSerializedBatchRequest(url, events.map(serializeCloudEvent), init);
}

/** toBatchRequest of events already written in the JSON format (serializeCloudEvent), for a sender that keeps them. */
export function toSerializedBatchRequest(url: string, serialized: readonly string[], init: RequestInit = {}): Request {
  return jsonRequest(url, `${CloudEventMediaType.batch}; charset=utf-8`, joinSerializedBatch(serialized), init);
}

function jsonRequest(url: string, contentType: string, body: string, init: RequestInit): Request {
  const headers = headersWithout(init.headers, (name) => name === "content-type");
  headers.set("content-type", contentType);
  return new Request(url, { method: "POST", ...init, headers, body: new TextEncoder().encode(body) });
}

function headersWithout(init: HeadersInit | undefined, drop: (name: string) => boolean): Headers {
  const headers = new Headers();
  new Headers(init).forEach((value, name) => {
    if (!drop(name)) headers.append(name, value);
  });
  return headers;
}
