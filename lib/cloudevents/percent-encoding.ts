import { invalidCloudEvent } from "./errors.ts";

/**
 * HTTP header values for attributes (CloudEvents HTTP binding 3.1.3.2): headers carry printable
 * US-ASCII only, so everything else, plus space, double-quote and percent, is percent-encoded as
 * UTF-8 bytes with upper-case hex.
 */
export function encodeHeaderValue(value: string): string {
  let encoded = "";
  for (const character of value) {
    const code = character.codePointAt(0)!;
    const plain = code >= 0x21 && code <= 0x7e && character !== '"' && character !== "%";
    encoded += plain ? character : percentEncode(character);
  }
  return encoded;
}

function percentEncode(character: string): string {
  let encoded = "";
  for (const byte of new TextEncoder().encode(character)) {
    encoded += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * HTTP binding 3.1.3.2, decoding: unescape double-quoted strings (RFC 7230 3.2.6), then one round
 * of percent-decoding, lower-case hex accepted. Byte sequences that are not valid UTF-8 (overlong
 * `%C0%A0` included) are rejected, and so is a `%` not followed by two hex digits. Raw bytes above
 * 0x7F break the binding's ASCII rule but older senders emit UTF-8 that way: the Fetch API hands
 * them over as one character per byte, so they join the UTF-8 decoding like escaped bytes.
 */
export function decodeHeaderValue(raw: string, field: string): string {
  const bytes: number[] = [];
  const text = unquote(raw, field);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x25) {
      const hex = text.slice(index + 1, index + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw malformed(field, "a % must be followed by two hex digits");
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else if (code <= 0xff) {
      bytes.push(code);
    } else {
      throw malformed(field, "a header value is a byte string");
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch (cause) {
    throw malformed(field, "percent-decoding does not yield valid UTF-8", cause);
  }
}

// RFC 7230 3.2.6 quoted-string: `"` ... `"` with `\x` standing for x. Parts outside quotes stay.
function unquote(raw: string, field: string): string {
  let result = "";
  let quoted = false;
  for (let index = 0; index < raw.length; index++) {
    const character = raw[index]!;
    if (character === '"') quoted = !quoted;
    else if (quoted && character === "\\" && index + 1 < raw.length) result += raw[++index];
    else result += character;
  }
  if (quoted) throw malformed(field, "unterminated double-quoted string");
  return result;
}

function malformed(field: string, message: string, cause?: unknown) {
  return invalidCloudEvent(`Invalid header for ${field}: ${message}`, [{ field, message }], cause);
}
