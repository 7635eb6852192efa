import { BoundedMap } from "../cache/index.ts";

/**
 * Media types as RFC 2045 5.1 / RFC 2046 define them (`datacontenttype`, HTTP `Content-Type`,
 * Kafka `content-type`): `type "/" subtype *( ";" attribute "=" value )`, value a token or a
 * quoted-string, optional whitespace around ";" as RFC 7231 3.1.1.1 allows.
 */
export type MediaType = {
  /** Lower-cased `type/subtype`, without parameters. */
  essence: string;
  type: string;
  subtype: string;
  /** Parameter names lower-cased; values unquoted, case kept. */
  parameters: Record<string, string>;
};

// RFC 2045 token: any US-ASCII CHAR except SPACE, CTLs and tspecials.
const TOKEN = String.raw`[!#$%&'*+\-.0-9A-Z^_\x60a-z{|}~]+`;
const QUOTED = String.raw`"(?:[^"\\\r\n]|\\.)*"`;
const HEAD = new RegExp(`^(${TOKEN})/(${TOKEN})`);
const PARAMETER = new RegExp(`^[ \\t]*;[ \\t]*(${TOKEN})=(${TOKEN}|${QUOTED})`);

/**
 * The media types parsed lately, by the header's text: a flow sees a handful of them (every event's
 * `datacontenttype`, every push's Content-Type), and parsing each again was about 1 % of a worker's
 * CPU under load. Bounded, so odd headers cannot grow it; null for a text that is no media type.
 * The answers are frozen, as they are shared.
 */
const parsed = new BoundedMap<string, Readonly<MediaType> | null>(64);

export function parseMediaType(value: string): Readonly<MediaType> | undefined {
  let mediaType = parsed.get(value);
  if (mediaType === undefined) {
    const fresh = parse(value);
    mediaType = fresh ? Object.freeze({ ...fresh, parameters: Object.freeze(fresh.parameters) }) : null;
    parsed.set(value, mediaType);
  }
  return mediaType ?? undefined;
}

function parse(value: string): MediaType | undefined {
  const trimmed = value.trim();
  const head = HEAD.exec(trimmed);
  if (!head) return undefined;
  const type = head[1]!.toLowerCase();
  const subtype = head[2]!.toLowerCase();
  const parameters: Record<string, string> = {};
  let rest = trimmed.slice(head[0].length);
  while (rest.length > 0) {
    const parameter = PARAMETER.exec(rest);
    if (!parameter) return undefined;
    const raw = parameter[2]!;
    parameters[parameter[1]!.toLowerCase()] = raw.startsWith('"')
      ? raw.slice(1, -1).replace(/\\(.)/g, "$1")
      : raw;
    rest = rest.slice(parameter[0].length);
  }
  return { essence: `${type}/${subtype}`, type, subtype, parameters };
}

export function isMediaType(value: string): boolean {
  return parseMediaType(value) !== undefined;
}

/** CloudEvents JSON format 3.1.1: a subtype `json` or ending in `+json` declares JSON data. */
export function isJsonMediaType(mediaType: MediaType): boolean {
  return mediaType.subtype === "json" || mediaType.subtype.endsWith("+json");
}

/**
 * A charset naming UTF-8, by any of its labels (`UTF-8`, `utf8`, quoted or not: RFC 9110 8.3.2
 * makes charset values case-insensitive), or no charset at all. The labels are the ones
 * `TextDecoder` knows, so this agrees with how a body in that media type is decoded.
 */
export function isUtf8OrNoCharset(mediaType: MediaType): boolean {
  const charset = mediaType.parameters.charset;
  if (charset === undefined) return true;
  try {
    return new TextDecoder(charset).encoding === "utf-8";
  } catch {
    return false;
  }
}

/**
 * A JSON media type as RFC 9110 8.3.1 reads one: type and subtype in any case, whitespace around
 * `;`, parameters that do not make it another type (`charset=utf-8` is still JSON). A charset
 * other than UTF-8 is refused: JSON exchanged between systems is UTF-8 (RFC 8259 8.1).
 */
export function isUtf8JsonMediaType(value: string): boolean {
  const mediaType = parseMediaType(value);
  return mediaType !== undefined && isJsonMediaType(mediaType) && isUtf8OrNoCharset(mediaType);
}

/**
 * Which CloudEvents event format a media type names, if any. HTTP binding 3 and Kafka binding 3:
 * anything prefixed `application/cloudevents` is a CloudEvents format, known or not.
 */
export type CloudEventsFormat = "json" | "batch-json" | "unknown";

export function cloudEventsFormatOf(mediaType: MediaType): CloudEventsFormat | undefined {
  if (mediaType.essence === "application/cloudevents+json") return "json";
  if (mediaType.essence === "application/cloudevents-batch+json") return "batch-json";
  return mediaType.essence.startsWith("application/cloudevents") ? "unknown" : undefined;
}
