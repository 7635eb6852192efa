import fc from "fast-check";
import { eventCatalog, eventTypes } from "../../lib/events/index.ts";
import { hostileText, shown } from "./hostile-text.ts";
import { withValue, without } from "./json-paths.ts";

type Json = Record<string, unknown>;

/**
 * A flawed event: what is wrong, and whether the flaw survives binary mode (a header is always a
 * string, so a wrong JSON type or a bad member name only exists in the JSON formats).
 */
export type FlawedEvent = { kind: string; detail: string; event: Json; jsonOnly?: boolean };

const flawed = (kind: string, name: string, value: unknown, event: Json, jsonOnly = false): FlawedEvent => ({
  kind,
  detail: `${name} = ${shown(value)}`,
  event: withValue(event, [name], value) as Json,
  jsonOnly,
});

/** Every way the envelope of `event`, pushed to `service`, can be wrong. */
export function envelopeFlaw(event: Json, service: string, subscribed: readonly string[]): fc.Arbitrary<FlawedEvent> {
  const set = (kind: string, name: string, values: fc.Arbitrary<unknown>, jsonOnly = false) => values.map((value) => flawed(kind, name, value, event, jsonOnly));
  const otherSources = [...new Set(Object.values(eventCatalog).map((entry) => entry.source))].filter((source) => source !== event.source);
  const notHere = eventTypes.filter((type) => !subscribed.includes(type));
  return fc.oneof(
    fc.constantFrom("specversion", "id", "source", "type", "time", "correlationid").map((name) => ({ kind: "a required attribute missing", detail: name, event: without(event, [name]) as Json })),
    set("a specversion other than 1.0", "specversion", fc.constantFrom("0.3", "1", "2.0", "", "1.0 ", "1.0.0")),
    set("an attribute of another JSON type", "specversion", fc.constantFrom(1, 1.0, true, [1]), true),
    fc.constantFrom("id", "source", "type", "correlationid").chain((name) => set("an empty attribute", name, fc.constant(""))),
    fc.constantFrom("id", "type", "correlationid", "time", "causationid").chain((name) => set("an attribute of another JSON type", name, fc.oneof(fc.integer(), fc.boolean(), fc.constant({})), true)),
    fc.constantFrom("id", "source", "type", "correlationid", "causationid").chain((name) => hostileText.map((bad) => flawed(`hostile attribute: ${bad.kind}`, name, bad.text, event))),
    set("a source other than the type's producer", "source", fc.oneof(fc.constantFrom(...otherSources, "/evil-service", "/", "https://attacker.example/payment-service"))),
    set("a source that is not a URI-reference", "source", fc.constantFrom("not a uri", "http://[::1", "%zz", "a b/c")),
    set("a type this service does not handle", "type", fc.oneof(fc.constantFrom("com.example.order.shipped", "com.example.payment.completed.v2", "payment.completed"), ...(notHere.length ? [fc.constantFrom(...notHere)] : []))),
    set("a time that is not RFC 3339", "time", fc.constantFrom("yesterday", "2026-02-30T00:00:00Z", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00", "", "+010000-01-01T00:00:00Z")),
    set("a datacontenttype other than JSON", "datacontenttype", fc.constantFrom("text/plain", "application/xml", "text/html; charset=utf-8", "application/octet-stream")),
    set("a subject or dataschema that is not valid", "subject", fc.constant("")),
    set("a subject or dataschema that is not valid", "dataschema", fc.constantFrom("relative/path", "", "not a uri")),
    fc.constantFrom("Evil", "x-y", "with space", "constructor", "prototype", "ÄÖ", "_x").map((name) => ({ kind: "an attribute name outside a-z0-9", detail: name, event: { ...event, [name]: "x" }, jsonOnly: true })),
    fc.constantFrom<unknown>({ a: 1 }, [1], 1.5, 2 ** 40).map((value) => ({ kind: "an extension value of no CloudEvents type", detail: shown(value), event: { ...event, traceparent: value }, jsonOnly: true })),
    fc.constant({ kind: "data and data_base64 together", detail: "both", event: { ...event, data_base64: "e30=" }, jsonOnly: true }),
    fc.constant({ kind: "data_base64 in place of data", detail: "data_base64", event: { ...without(event, ["data"]) as Json, data_base64: Buffer.from(JSON.stringify(event.data)).toString("base64") }, jsonOnly: true }),
  );
}
