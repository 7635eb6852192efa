import { describe, expect, test } from "bun:test";
import { instantOf, isRfc3339 } from "./rfc3339.ts";

describe("isRfc3339", () => {
  const accepted: Array<[string, string]> = [
    ["UTC with Z", "2018-04-05T17:31:00Z"],
    ["positive offset", "2018-04-05T18:31:00+01:00"],
    ["negative offset", "2018-04-05T16:31:00-01:00"],
    ["unknown local offset -00:00 (4.3)", "2018-04-05T17:31:00-00:00"],
    ["extreme offsets", "2018-04-05T17:31:00+23:59"],
    ["fractional seconds, one digit", "2018-04-05T17:31:00.5Z"],
    ["fractional seconds, nanoseconds", "2018-04-05T17:31:00.000000000Z"],
    ["fractional seconds, many digits", "2018-04-05T17:31:00.123456789012Z"],
    ["lower-case t and z (5.6 NOTE)", "2018-04-05t17:31:00z"],
    ["29 February in a leap year", "2020-02-29T00:00:00Z"],
    ["29 February in a year divisible by 400", "2000-02-29T00:00:00Z"],
    ["leap second at 23:59:60Z (5.7)", "2016-12-31T23:59:60Z"],
    ["leap second with fraction", "2016-12-31T23:59:60.5Z"],
    ["leap second in local time, 23:59 UTC", "2016-12-31T15:59:60-08:00"],
    ["31 days in January", "2019-01-31T12:00:00Z"],
  ];
  for (const [name, value] of accepted) {
    test(`accepts ${name}: ${value}`, () => expect(isRfc3339(value)).toBe(true));
  }

  const rejected: Array<[string, string]> = [
    ["hour-only offset +05", "2018-04-05T18:31:00+05"],
    ["offset without colon", "2018-04-05T18:31:00+0500"],
    ["offset hour out of range", "2018-04-05T18:31:00+25:00"],
    ["offset minute out of range", "2018-04-05T18:31:00+01:60"],
    ["no offset at all", "2018-04-05T18:31:00"],
    ["30 February", "2018-02-30T00:00:00Z"],
    ["29 February outside a leap year", "2019-02-29T00:00:00Z"],
    ["29 February in 1900 (divisible by 100, not 400)", "1900-02-29T00:00:00Z"],
    ["31 April", "2018-04-31T00:00:00Z"],
    ["month 13", "2018-13-01T00:00:00Z"],
    ["day 0", "2018-01-00T00:00:00Z"],
    ["hour 24", "2018-04-05T24:00:00Z"],
    ["minute 60", "2018-04-05T23:60:00Z"],
    ["second 61", "2018-04-05T23:59:61Z"],
    ["leap second not at the end of a UTC day", "2016-12-31T12:00:60Z"],
    ["minutes only", "2018-04-05T18:31Z"],
    ["space instead of T", "2018-04-05 18:31:00Z"],
    ["empty fraction", "2018-04-05T18:31:00.Z"],
    ["date only", "2018-04-05"],
    ["two-digit year", "18-04-05T18:31:00Z"],
    ["offset X", "2018-04-05T18:31:00X"],
    ["non-ASCII digits", "٢٠١٨-04-05T18:31:00Z"],
    ["garbage", "lunchtime"],
    ["empty", ""],
  ];
  for (const [name, value] of rejected) {
    test(`rejects ${name}: ${value}`, () => expect(isRfc3339(value)).toBe(false));
  }
});

describe("instantOf", () => {
  const cases: Array<[string, string]> = [
    ["2018-04-05T17:31:00Z", "2018-04-05T17:31:00.000Z"],
    ["2018-04-05t18:31:00.5+01:00", "2018-04-05T17:31:00.500Z"],
    ["2018-04-05T17:31:00.123456789Z", "2018-04-05T17:31:00.123Z"],
    // A leap second is the last millisecond before it: after :59, before the next day.
    ["2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z"],
    ["2016-12-31T23:59:60.5Z", "2016-12-31T23:59:59.999Z"],
    ["2016-12-31T15:59:60-08:00", "2016-12-31T23:59:59.999Z"],
  ];
  for (const [value, instant] of cases) test(`${value} → ${instant}`, () => expect(instantOf(value).toISOString()).toBe(instant));

  test("the offset may carry the instant past year 9999", () => expect(instantOf("9999-12-31T23:59:59-23:59").getUTCFullYear()).toBe(10000));
});
