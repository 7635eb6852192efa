import type { CloudEventAttributeValue } from "./types.ts";

/** CloudEvents spec, Attribute Naming Convention: lower-case ASCII letters and digits only. */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

export function isAttributeName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name);
}

// CloudEvents spec, Type System, String: no control characters (U+0000-U+001F, U+007F-U+009F), no
// noncharacters, no unpaired surrogates. With the `u` flag a lone surrogate matches \p{Cs}; a
// proper pair is one code point and does not.
const FORBIDDEN_IN_STRING = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

export function isCloudEventsString(value: string): boolean {
  return !FORBIDDEN_IN_STRING.test(value);
}

/** CloudEvents spec, Type System, Integer: a signed 32-bit whole number. */
export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647;
}

/**
 * The canonical string encoding (CloudEvents spec, Type System) used for header values in binary
 * mode. URI, Timestamp and Binary values already travel as strings here.
 */
export function toCanonicalString(value: CloudEventAttributeValue): string {
  return typeof value === "string" ? value : String(value);
}
