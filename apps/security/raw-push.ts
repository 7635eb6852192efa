import type { WebhookSigner } from "../../lib/security/index.ts";

/**
 * A push to the internal listener, written byte by byte rather than through the CloudEvents
 * writers: those refuse (rightly) to write the malformed events this folder sends.
 */
export type RawPush = { path: string; method: string; headers: Record<string, string>; body: Uint8Array<ArrayBuffer> };
export type Mode = "binary" | "structured" | "batch";
export const modes: readonly Mode[] = ["binary", "structured", "batch"];

type Json = Record<string, unknown>;
const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

export function structuredPush(service: string, event: unknown): RawPush {
  return { path: `/events/${service}`, method: "POST", headers: { "content-type": "application/cloudevents+json; charset=utf-8" }, body: utf8(JSON.stringify(event)) };
}

export function batchPush(service: string, events: unknown): RawPush {
  return { path: `/events/${service}`, method: "POST", headers: { "content-type": "application/cloudevents-batch+json; charset=utf-8" }, body: utf8(JSON.stringify(events)) };
}

/** Binary mode: every attribute a `ce-` header (percent-encoded), `data` the body, `datacontenttype` the Content-Type. */
export function binaryPush(service: string, event: Json): RawPush {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === "data" || name === "datacontenttype" || value === undefined) continue;
    headers[`ce-${name}`] = percentEncoded(String(value));
  }
  if (typeof event.datacontenttype === "string") headers["content-type"] = event.datacontenttype;
  else if (event.data !== undefined) headers["content-type"] = "application/json";
  const body = event.data === undefined ? new Uint8Array() : utf8(typeof event.data === "string" && headers["content-type"]?.startsWith("text/") ? event.data : JSON.stringify(event.data));
  return { path: `/events/${service}`, method: "POST", headers, body };
}

export function pushOf(mode: Mode, service: string, events: Json[], flawed: Json): RawPush {
  if (mode === "binary") return binaryPush(service, flawed);
  if (mode === "structured") return structuredPush(service, flawed);
  return batchPush(service, events);
}

/**
 * CloudEvents percent-encoding, except that a lone surrogate is written as the three bytes it would
 * take if it were a code point (WTF-8), as a careless sender would: TextEncoder would silently turn
 * it into U+FFFD and the hostile character would never reach the receiver.
 */
export function percentEncoded(value: string): string {
  let encoded = "";
  for (let i = 0; i < value.length; i++) {
    const code = value.codePointAt(i)!;
    if (code > 0xffff) i++;
    const plain = code >= 0x21 && code <= 0x7e && code !== 0x22 && code !== 0x25;
    encoded += plain ? String.fromCharCode(code) : [...wtf8(code)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  }
  return encoded;
}

function wtf8(code: number): number[] {
  if (code < 0x80) return [code];
  if (code < 0x800) return [0xc0 | (code >> 6), 0x80 | (code & 0x3f)];
  if (code < 0x10000) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
  return [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
}

/** The push with Standard Webhooks headers over its exact body (as the receiver decodes it). */
export function signedPush(push: RawPush, sign: WebhookSigner, id: string, at = new Date()): RawPush {
  return { ...push, headers: { ...push.headers, ...sign(id, new TextDecoder().decode(push.body), at) } };
}

export function requestOf(push: RawPush): Request {
  const body = push.method === "GET" || push.method === "HEAD" ? undefined : push.body;
  return new Request(`http://localhost${push.path}`, { method: push.method, headers: push.headers, body });
}
