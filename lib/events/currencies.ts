import * as v from "valibot";

/** Digits after the decimal point: an amount of 1234 is 1234 JPY, 12.34 USD, 1.234 KWD. */
export type MinorUnit = 0 | 2 | 3;

// ISO 4217 List One as published 2024-06-25, with the amendments in force on 2026-11-30: XCG
// added (Caribbean guilder, 2025-03-31), ANG withdrawn (2025-06-30), BGN withdrawn (Bulgaria
// adopted the euro on 2026-01-01). Left out on purpose, as nothing a customer can pay in: fund
// codes (BOV CHE CHW CLF COU MXV USN UYI), the wage index unit UYW, and the X codes that are not
// a currency (XAG XAU XPD XPT metals, XBA-XBD bond units, XDR, XSU, XUA, XTS testing, XXX none).
// Check it against the current List One when ISO publishes an amendment.
const byMinorUnit: Record<MinorUnit, string> = {
  0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF",
  2: `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
      CNY COP CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD
      HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK
      MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD
      RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS
      UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`,
  3: "BHD IQD JOD KWD LYD OMR TND",
};

const minorUnits: ReadonlyMap<string, MinorUnit> = new Map(
  ([0, 2, 3] as const).flatMap((unit) => byMinorUnit[unit].trim().split(/\s+/).map((code) => [code, unit] as const)),
);

/** Every accepted currency code, sorted. */
export const currencyCodes: readonly string[] = [...minorUnits.keys()].sort();

export function isCurrencyCode(code: string): boolean {
  return minorUnits.has(code);
}

/** The currency's minor unit, or undefined for a code that is not an accepted currency. */
export function minorUnitOf(code: string): MinorUnit | undefined {
  return minorUnits.get(code);
}

export const currency = v.pipe(
  v.string(),
  v.check(isCurrencyCode, "must be an ISO 4217 currency code such as JPY (not a fund, metal or test code such as XXX)"),
);
