import { decodeBase64, encodeBase64 } from "./base64.ts";
import { invalidCloudEvent, unsupportedMediaType } from "./errors.ts";
import { isJsonMediaType, type MediaType, parseMediaType } from "./media-type.ts";
import type { CloudEvent } from "./types.ts";

/**
 * `data` as the byte sequence of a binary-mode message body (HTTP binding 3.1.2, Kafka binding
 * 3.2.2), both ways. The in-memory form follows the JSON format (3.1): JSON-typed data is a JSON
 * value, text is a string, anything else is bytes in `data_base64`.
 */
export type EncodedData = { contentType?: string; body?: Uint8Array<ArrayBuffer> };

export function encodeData(event: CloudEvent): EncodedData {
  const { data, data_base64, datacontenttype } = event;
  if (data_base64 !== undefined) return { contentType: datacontenttype, body: decodeBase64(data_base64) };
  if (data === undefined) return { contentType: datacontenttype };
  if (data instanceof Uint8Array) return { contentType: datacontenttype, body: new Uint8Array(data) };
  // JSON format 3.1.2: no datacontenttype means application/json, and a translated event SHOULD
  // carry it explicitly.
  const contentType = datacontenttype ?? "application/json";
  const mediaType = parseMediaType(contentType);
  if (mediaType && isJsonMediaType(mediaType)) {
    const json = JSON.stringify(data);
    if (json !== undefined) return { contentType, body: new TextEncoder().encode(json) };
  } else if (typeof data === "string") {
    return { contentType, body: new TextEncoder().encode(data) };
  }
  throw invalidCloudEvent(`data cannot be encoded as ${contentType}`, [
    { field: "data", message: `must be a JSON value for JSON types, else a string or bytes (got ${typeof data})` },
  ]);
}

export type DecodedData = Pick<CloudEvent, "data" | "data_base64" | "datacontenttype">;

/**
 * An empty body is an event without data. A content type that does not parse is kept as the
 * `datacontenttype` (the envelope check then rejects it) and the body kept as bytes.
 */
export function decodeData(body: Uint8Array, contentType: string | undefined): DecodedData {
  const decoded: DecodedData = contentType === undefined ? {} : { datacontenttype: contentType };
  if (body.byteLength === 0) return decoded;
  const mediaType = contentType === undefined ? undefined : parseMediaType(contentType);
  if (mediaType && isJsonMediaType(mediaType)) return { ...decoded, data: parseJson(decodeText(body, mediaType)) };
  if (mediaType?.type === "text") return { ...decoded, data: decodeText(body, mediaType) };
  return { ...decoded, data_base64: encodeBase64(body) };
}

export function decodeText(body: Uint8Array, mediaType: MediaType, field = "data"): string {
  const charset = mediaType.parameters.charset ?? "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw unsupportedMediaType(mediaType.essence, `unknown charset ${JSON.stringify(charset)}`);
  }
  try {
    return decoder.decode(body);
  } catch (cause) {
    throw invalidCloudEvent(`the body is not valid ${charset}`, [{ field, message: `not valid ${charset}` }], cause);
  }
}

export function parseJson(text: string, field = "data"): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw invalidCloudEvent("the body is not valid JSON", [{ field, message: (cause as Error).message }], cause);
  }
}
