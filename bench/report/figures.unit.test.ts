import { expect, test } from "bun:test";
import { formatRatio, formatValue } from "./figures.ts";

test("ratios keep two significant digits when small, none when large", () => {
  expect(formatRatio(0.0043)).toBe("0.0043×");
  expect(formatRatio(0.153)).toBe("0.15×");
  expect(formatRatio(84.4)).toBe("84×");
  expect(formatRatio(Number.NaN)).toBe("n/a");
});

test("values are rounded for reading, with their unit", () => {
  expect(formatValue(1931.4, "/s")).toBe("1931/s");
  expect(formatValue(12.34, "ms")).toBe("12.3 ms");
  expect(formatValue(1.234, "ms")).toBe("1.23 ms");
  expect(formatValue(Number.NaN, "ms")).toBe("n/a");
});
