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

export function parseMediaType(value: string): MediaType | undefined {
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
 * Which CloudEvents event format a media type names, if any. HTTP binding 3 and Kafka binding 3:
 * anything prefixed `application/cloudevents` is a CloudEvents format, known or not.
 */
export type CloudEventsFormat = "json" | "batch-json" | "unknown";

export function cloudEventsFormatOf(mediaType: MediaType): CloudEventsFormat | undefined {
  if (mediaType.essence === "application/cloudevents+json") return "json";
  if (mediaType.essence === "application/cloudevents-batch+json") return "batch-json";
  return mediaType.essence.startsWith("application/cloudevents") ? "unknown" : undefined;
}
