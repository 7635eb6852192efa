/**
 * A CloudEvent as this project holds it in memory: the JSON-format shape (CloudEvents JSON format 3),
 * after validation. Optional attributes are absent rather than null (JSON format 2.2: null = unset).
 */
export type CloudEvent<D = unknown> = {
  specversion: "1.0";
  /** Non-empty; `source` + `id` identifies the event, so consumers dedup on the pair. */
  id: string;
  /** URI-reference (RFC 3986 4.1), non-empty. */
  source: string;
  type: string;
  subject?: string;
  /** RFC 3339 timestamp. */
  time?: string;
  /** RFC 2046 media type of `data`; absent means `application/json` (JSON format 3.1.2). */
  datacontenttype?: string;
  /** Absolute URI (RFC 3986 4.3). */
  dataschema?: string;
  /** `null` is an explicit null payload, distinct from an absent `data` (JSON format 3.1.1). */
  data?: D;
  /** Binary data, RFC 4648 base64; never together with `data`. */
  data_base64?: string;
  /** Extension attributes: lower-case a-z0-9 names; boolean, 32-bit integer or string values. */
  [name: string]: unknown;
};

declare const validated: unique symbol;

/**
 * A CloudEvent known to be valid, so writers serialize it without checking it again. The brand
 * exists only in types: it is produced by `parseCloudEvent`/`parseCloudEventBatch` (and the readers
 * built on them) at a trust edge, and by the few places that build or store events from our own
 * typed code (`newEvent`, the outbox relay's `trustStoredEvent`), each of which says why.
 * Anything else needs a cast, which is easy to find in review. A copy changed by spreading keeps
 * the brand in types: change an event before it is parsed or built, not after.
 */
export type ValidCloudEvent<E extends CloudEvent = CloudEvent> = E & { readonly [validated]: true };

/** CloudEvents type system: the JSON values an extension attribute may take (JSON format 2.2). */
export type CloudEventAttributeValue = string | number | boolean;

export type ContentMode = "binary" | "structured" | "batch";

export const SPEC_VERSION = "1.0";

export const CloudEventMediaType = {
  structured: "application/cloudevents+json",
  batch: "application/cloudevents-batch+json",
} as const;

export const CloudEventErrorCode = {
  /** Malformed event, batch, JSON or header value: the sender's fault, 400, never retry. */
  invalid: "cloudevent.invalid",
  /** A content type we cannot read as a CloudEvent at all: 415. */
  unsupportedMediaType: "cloudevent.unsupported_media_type",
  /** `toKafkaRecord` got neither a key nor a `partitionkey` extension. */
  noKey: "cloudevent.no_key",
} as const;
