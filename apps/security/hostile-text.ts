import fc from "fast-check";

/**
 * Text no field of ours may hold (issue "hostile input"): each kind is refused by the rules of
 * lib/events text checks (lone surrogates, C0/C1 controls, bidirectional controls, line
 * separators) or by a field's length cap. Each string keeps some ordinary text around the hostile
 * part, as an attacker's would.
 */
export type HostileText = { kind: string; text: string };

const ordinary = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_ 東京都"), maxLength: 12 });
const codeUnits = (from: number, to: number) => fc.integer({ min: from, max: to }).map((code) => String.fromCharCode(code));

const hostileParts: Array<[string, fc.Arbitrary<string>]> = [
  ["lone surrogate", fc.oneof(codeUnits(0xd800, 0xdbff), codeUnits(0xdc00, 0xdfff))],
  ["C0 control", fc.oneof(codeUnits(0x00, 0x1f), fc.constant("\u007f"))],
  ["C1 control", codeUnits(0x80, 0x9f)],
  ["bidi control", fc.constantFrom("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069")],
];

/** A string with one hostile part inside ordinary text. */
export const hostileText: fc.Arbitrary<HostileText> = fc.oneof(
  ...hostileParts.map(([kind, part]) =>
    fc.tuple(ordinary, part, ordinary).map(([before, bad, after]) => ({ kind, text: `${before}${bad}${after}` })),
  ),
);

/** Longer than `max` characters, otherwise ordinary. */
export function overLong(max: number): fc.Arbitrary<HostileText> {
  return fc.integer({ min: max + 1, max: max * 4 + 10 }).map((length) => ({ kind: "longer than the field allows", text: "x".repeat(length) }));
}

/** Hostile text, or text over the field's cap. */
export function hostileFor(max: number): fc.Arbitrary<HostileText> {
  return fc.oneof({ weight: 4, arbitrary: hostileText }, { weight: 1, arbitrary: overLong(max) });
}

/** Three capital letters that name no currency of ISO 4217 (or name a non-currency like XXX). */
export const unknownCurrency = fc.oneof(
  fc.constantFrom("XXX", "XTS", "ZZZ", "ABC", "EUR ", " JPY", "jpy", "Jpy", "JP", "JPYY", ""),
  // No ISO 4217 code starts with QQ or XX (XXX is "no currency").
  fc.stringMatching(/^(QQ|XX)[A-Z]$/),
);

/** Other strings, well-formed, where a number, a boolean, an object or a list is expected. */
export const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
export const notANumber = fc.oneof(
  fc.constantFrom("1", "", "NaN", "Infinity", null, true, false),
  fc.constant([1]),
  fc.constant({ value: 1 }),
);

/** Printable JSON: how a value looks in the report (escapes make hostile characters visible). */
export function shown(value: unknown, max = 160): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  const ascii = text.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return ascii.length > max ? `${ascii.slice(0, max)}… (${ascii.length} characters)` : ascii;
}
