import fc from "fast-check";
import { shown } from "./hostile-text.ts";
import { binaryPush, type RawPush, structuredPush } from "./raw-push.ts";
import type { EventInput } from "./event-inputs.ts";

type Json = Record<string, unknown>;

const bytes = (text: string) => new TextEncoder().encode(text);
const withHeaders = (push: RawPush, headers: Record<string, string | undefined>): RawPush => {
  const merged: Record<string, string> = { ...push.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return { ...push, headers: merged };
};

/** A valid structured event whose body holds a byte that is not UTF-8 (inside a string value). */
function notUtf8(push: RawPush): RawPush {
  const text = new TextDecoder().decode(push.body);
  const at = bytes(text.slice(0, text.indexOf('"correlationid":"') + 17)).length;
  return { ...push, body: new Uint8Array([...push.body.slice(0, at), 0xff, 0xfe, ...push.body.slice(at)]) };
}

/** Valid events sent in a way that cannot be read: content type, body encoding, headers, size, address. */
export function transportFlaw(service: string, event: Json): fc.Arbitrary<EventInput> {
  const structured = structuredPush(service, event);
  const binary = binaryPush(service, event);
  const input = (kind: string, detail: string, push: RawPush): EventInput => ({ kind, detail, service, mode: "any", push });
  return fc.oneof(
    fc.constantFrom<string | undefined>("text/plain", "application/json", "application/x-www-form-urlencoded", undefined).map((type) =>
      input("no CloudEvents content type and no ce-specversion", shown(type ?? "none"), withHeaders(structured, { "content-type": type })),
    ),
    fc.constantFrom("application/cloudevents+xml", "application/cloudevents+avro", "application/cloudevents", "application/cloudevents+json; charset=klingon").map((type) =>
      input("a CloudEvents format or charset that is not supported", type, withHeaders(structured, { "content-type": type })),
    ),
    fc.tuple(fc.constantFrom("{", "[", "{'specversion':'1.0'}", "", "null x", "\u0000"), fc.boolean()).map(([body, batch]) =>
      input("a body that is not JSON", shown(body), {
        ...structured,
        headers: { "content-type": batch ? "application/cloudevents-batch+json" : "application/cloudevents+json" },
        body: bytes(body),
      }),
    ),
    fc.constant(input("a body that is not UTF-8", "bytes FF FE inside correlationid", notUtf8(structured))),
    fc.constantFrom("%ZZ", "%", "%C0%A0", "%ED%A0%80", "\"unterminated").map((id) => input("a binary-mode header that does not decode", `ce-id: ${id}`, withHeaders(binary, { "ce-id": id }))),
    fc.constant(input("a ce-datacontenttype header in binary mode", "ce-datacontenttype: application/json", withHeaders(binary, { "ce-datacontenttype": "application/json" }))),
    fc.constantFrom("{", "not json", "[1,").map((body) => input("a binary-mode body that is not JSON", shown(body), { ...binary, body: bytes(body) })),
    fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 65_536 }).map((size) => {
      const data = { ...(event.data as Json), padding: "x".repeat(size) };
      return input("a body over 1 MiB", `${size} bytes of padding`, structuredPush(service, { ...event, data }));
    }),
    fc.constantFrom("/events/nobody", "/events/", "/events", `/events/${service.toUpperCase()}`, `/events/${service}/x`, "/orders").map((path) =>
      input("a path the internal listener does not serve", path, { ...structured, path }),
    ),
    fc.constantFrom("GET", "PUT", "DELETE", "PATCH").map((method) => input("a method other than POST", method, { ...structured, method })),
  );
}
