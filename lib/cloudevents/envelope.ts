import * as v from "valibot";
import type { ErrorIssue } from "../errors/index.ts";
import { isBase64 } from "./base64.ts";
import { invalidCloudEvent } from "./errors.ts";
import { isMediaType } from "./media-type.ts";
import { isRfc3339 } from "./rfc3339.ts";
import { isAttributeName, isCloudEventsString, isInt32 } from "./type-system.ts";
import type { CloudEvent, ValidCloudEvent } from "./types.ts";
import { isAbsoluteUri, isUriReference } from "./uri.ts";

/**
 * A CloudEvent in the JSON event format (CloudEvents JSON format 3), validated to the spec text
 * rather than to the official JSON Schema, which lets several invalid events through.
 */

const ceString = v.pipe(
  v.string(),
  v.check(isCloudEventsString, "contains a control character, noncharacter or lone surrogate"),
);
const nonEmptyString = v.pipe(ceString, v.nonEmpty("must be a non-empty string"));

// Names: lower-case a-z0-9 (spec, Attribute Naming Convention). The 20-character limit is a
// SHOULD NOT, so longer names pass. `data_base64` is a member of the JSON format, not an attribute.
// valibot's object schemas skip `constructor` and `prototype` (prototype pollution guard), which
// would silently drop such extensions, so those two names are refused instead.
const UNSUPPORTED_NAMES = new Set(["constructor", "prototype"]);

const jsonObject = v.custom<Record<string, unknown>>(
  (input) => typeof input === "object" && input !== null && !Array.isArray(input),
  "must be a JSON object",
);

const memberNames = v.pipe(
  jsonObject,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [key, value] of Object.entries(dataset.value)) {
      const valid = key === "data_base64" || (isAttributeName(key) && !UNSUPPORTED_NAMES.has(key));
      if (valid) continue;
      addIssue({
        message: UNSUPPORTED_NAMES.has(key)
          ? "this attribute name is not supported here (it shadows a JavaScript object member)"
          : "attribute names must be lower-case letters a-z and digits 0-9 only",
        path: [{ type: "object", origin: "key", input: dataset.value, key, value }],
      });
    }
  }),
  // The attributes come out of the other half of the intersection; nothing to merge from here.
  v.transform(() => ({})),
);

// Extension values take the JSON forms of the CloudEvents types (JSON format 2.2): boolean,
// integer, string (URI, Timestamp and Binary travel as strings). Objects, arrays and fractions are
// not CloudEvents types; null means unset (JSON format 2.2). Strings first: nearly every extension
// is one, and a union tries its options in order, recording an issue for each that fails.
const extensionValue = v.nullable(
  v.union(
    [
      ceString,
      v.boolean(),
      v.pipe(v.number(), v.check(isInt32, "must be an integer within the signed 32-bit range")),
    ],
    "must be a boolean, an integer or a string",
  ),
);

const attributes = v.objectWithRest(
  {
    specversion: v.literal("1.0", 'must be "1.0"'),
    id: nonEmptyString,
    source: v.pipe(nonEmptyString, v.check(isUriReference, "must be a URI-reference (RFC 3986 4.1)")),
    type: nonEmptyString,
    subject: v.nullish(nonEmptyString),
    time: v.nullish(v.pipe(v.string(), v.check(isRfc3339, "must be an RFC 3339 timestamp"))),
    datacontenttype: v.nullish(v.pipe(v.string(), v.check(isMediaType, "must be an RFC 2046 media type"))),
    dataschema: v.nullish(
      v.pipe(v.string(), v.check(isAbsoluteUri, "must be a non-empty absolute URI (RFC 3986 4.3)")),
    ),
    // JSON format 3.1: any JSON value, `null` included (an explicit null payload).
    data: v.optional(v.unknown()),
    data_base64: v.nullish(v.pipe(v.string(), v.check(isBase64, "must be RFC 4648 base64"))),
  },
  extensionValue,
  (issue) => (issue.input === undefined ? "is required" : "must be a JSON object"),
);

/** The envelope as a valibot schema, for composing (e.g. in a validator middleware). */
export const cloudEventEnvelopeSchema = v.pipe(
  jsonObject,
  // Both run, so a bad name and a bad value are reported together.
  v.intersect([memberNames, attributes]),
  // JSON format 3.1.1: `data` and `data_base64` are mutually exclusive.
  v.forward(
    v.check(
      (event) => !(event.data !== undefined && event.data_base64 != null),
      "data and data_base64 must not both be present",
    ),
    ["data_base64"],
  ),
  v.transform((event) => dropUnset(event)),
);

/** JSON batch format 4.1: an array of JSON-format events (which may be empty). */
export const cloudEventBatchSchema = v.array(cloudEventEnvelopeSchema, "a batch must be a JSON array");

// JSON format 2.2: a null attribute is unset. `data: null` stays, it is a payload (3.1.1). Almost
// no event has one: such an event is taken as it is (valibot's output, a new object already)
// rather than copied entry by entry.
function dropUnset(event: object): CloudEvent {
  if (!hasUnset(event as Record<string, unknown>)) return event as CloudEvent;
  return Object.fromEntries(Object.entries(event).filter(([name, value]) => !isUnset(name, value))) as CloudEvent;
}

// A loop over the names, not Object.entries: this runs on every event, and an array of pairs
// per event cost more than skipping the copy saved.
function hasUnset(event: Record<string, unknown>): boolean {
  for (const name in event) if (isUnset(name, event[name])) return true;
  return false;
}

const isUnset = (name: string, value: unknown) => value === undefined || (value === null && name !== "data");

/**
 * Validates one event in its JSON form; throws AppError `cloudevent.invalid` (400) naming the
 * attributes. The result is branded valid: writers take it as it is.
 */
export function parseCloudEvent(input: unknown): ValidCloudEvent {
  const result = v.safeParse(cloudEventEnvelopeSchema, input);
  if (result.success) return result.output as ValidCloudEvent;
  throw invalidFrom("Invalid CloudEvent", "event", result.issues);
}

/**
 * Validates a JSON batch. HTTP binding 3.3.2 requires one `specversion` across a batch; as every
 * event must carry exactly "1.0", a mixed batch always fails on the odd one out.
 */
export function parseCloudEventBatch(input: unknown): ValidCloudEvent[] {
  const result = v.safeParse(cloudEventBatchSchema, input);
  if (result.success) return result.output as ValidCloudEvent[];
  throw invalidFrom("Invalid CloudEvents batch", "batch", result.issues);
}

function invalidFrom(what: string, root: string, issues: v.BaseIssue<unknown>[]) {
  const found: ErrorIssue[] = issues.map((issue) => ({
    field: v.getDotPath(issue) ?? root,
    message: issue.message,
  }));
  const summary = found.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
  return invalidCloudEvent(`${what}: ${summary}`, found);
}
