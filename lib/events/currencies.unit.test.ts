import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { currency, currencyCodes, isCurrencyCode, type MinorUnit, minorUnitOf } from "./currencies.ts";

describe("currencies (ISO 4217 allow-list)", () => {
  test("each currency has its minor unit", () => {
    const expected: Record<string, MinorUnit> = { JPY: 0, KRW: 0, CLP: 0, XAF: 0, XOF: 0, XPF: 0, USD: 2, EUR: 2, GBP: 2, CNY: 2, XCD: 2, XCG: 2, KWD: 3, BHD: 3, TND: 3 };
    for (const [code, unit] of Object.entries(expected)) expect({ code, unit: minorUnitOf(code) }).toEqual({ code, unit });
  });

  test("codes that are not a currency are refused", () => {
    const notCurrencies = ["XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XSU", "XUA", "BOV", "CLF", "UYI", "UYW", "USN", "CHE"];
    for (const code of notCurrencies) expect([code, isCurrencyCode(code), minorUnitOf(code)]).toEqual([code, false, undefined]);
  });

  test("withdrawn and made-up codes are refused", () => {
    for (const code of ["ANG", "BGN", "HRK", "SLL", "ZWL", "VEF", "ABC", "YEN"]) expect([code, isCurrencyCode(code)]).toEqual([code, false]);
  });

  test("only the exact upper-case code is accepted", () => {
    for (const code of ["jpy", "Jpy", " JPY", "JPY ", "JPYY", "JP", "", "\u202eJPY", "ＪＰＹ"]) expect([code, v.is(currency, code)]).toEqual([code, false]);
    expect(v.is(currency, "JPY")).toBe(true);
    expect(v.is(currency, 392)).toBe(false);
  });

  test("the table is well formed: sorted, unique, three upper-case letters, 0, 2 or 3", () => {
    expect(currencyCodes.length).toBeGreaterThan(150);
    expect(new Set(currencyCodes).size).toBe(currencyCodes.length);
    expect([...currencyCodes].sort()).toEqual([...currencyCodes]);
    for (const code of currencyCodes) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3]).toContain(minorUnitOf(code)!);
    }
  });

  test("a refusal says what is wanted", () => {
    const result = v.safeParse(v.object({ currency }), { currency: "XXX" });
    expect(result.issues?.[0]?.message).toMatch(/ISO 4217/);
    expect(result.issues?.[0]?.path?.[0]?.key).toBe("currency");
  });
});
