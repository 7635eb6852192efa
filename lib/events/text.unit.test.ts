import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { isPlainText, line, textProblem } from "./text.ts";

const refused: Array<[string, string[], RegExp]> = [
  ["lone surrogates", ["\ud800", "\udfff", "a\ud800b", "end\ud83c", "\udc00start", "🍵\ud800"], /lone surrogate/],
  ["C0 controls and DEL", ["\u0000", "a\tb", "a\nb", "a\rb", "\u001b[31m", "\u001f", "\u007f"], /control characters/],
  ["C1 controls", ["\u0080", "\u0085", "u\u009b31mRED", "\u009f"], /control characters/],
  [
    "bidirectional controls",
    ["\u202a", "\u202b", "\u202c", "\u202d", "evil\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"],
    /bidirectional/,
  ],
  ["line and paragraph separators", ["a\u2028b", "a\u2029b"], /separators/],
];

describe("text rules", () => {
  for (const [what, samples, message] of refused) {
    test(`refuse ${what}`, () => {
      for (const sample of samples) expect([sample, textProblem(sample)]).toEqual([sample, expect.stringMatching(message)]);
    });
  }

  test("accept ordinary Japanese text, emoji (surrogate pairs) and other scripts", () => {
    const accepted = ["東京都千代田区丸の内1-1-1", "ご注文ありがとうございます🍵", "👨‍👩‍👧 family (ZWJ)", "🇯🇵", "Crème brûlée", "مرحبا", "שלום", "a b\u00a0c", "𠮷野家"];
    for (const text of accepted) expect([text, isPlainText(text)]).toEqual([text, true]);
  });

  test("every UTF-16 code unit alone is refused exactly when a rule names it (the one-pass check misses none, adds none)", () => {
    const bidi = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
    const refusedUnit = (unit: number) =>
      (unit >= 0xd800 && unit <= 0xdfff) || unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f) || bidi.includes(unit) || unit === 0x2028 || unit === 0x2029;
    const wrong: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      if ((textProblem(`a${String.fromCharCode(unit)}b`) !== undefined) !== refusedUnit(unit)) wrong.push(unit.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  test("the issue's example is refused for its first problem, the C1 CSI", () => {
    expect(textProblem("u\u009b31mRED\u202eevil")).toMatch(/control characters/);
  });

  // Why the old pattern had to go: with the `u` flag a lone surrogate is a code point of its own.
  test("a [^...] class with the u flag lets a lone surrogate through", () => {
    expect(/^[^\u0000-\u001f\u007f]*$/u.test("\ud800")).toBe(true);
  });
});

describe("line()", () => {
  const name = line(5);

  test("keeps its length limit and refuses the empty string", () => {
    expect(v.is(name, "12345")).toBe(true);
    expect(v.is(name, "123456")).toBe(false);
    expect(v.is(name, "")).toBe(false);
  });

  test("names the field and the reason", () => {
    const result = v.safeParse(v.object({ city: name }), { city: "a\u202eb" });
    expect(result.issues?.map((issue) => [issue.path?.map((item) => item.key).join("."), issue.message])).toEqual([
      ["city", expect.stringMatching(/bidirectional/)],
    ]);
  });

  test("refuses what is not a string", () => {
    for (const input of [1, null, undefined, ["a"], { a: 1 }]) expect(v.is(name, input)).toBe(false);
  });
});
