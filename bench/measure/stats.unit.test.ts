import { expect, test } from "bun:test";
import { percentile, perSecond, summarize } from "./stats.ts";

test("nearest-rank percentiles: p50 of 1..100 is 50, p99 is 99, max is 100", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  expect(summarize(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
});

test("one value is every percentile; no value is NaN, not zero", () => {
  expect(summarize([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
  expect(Number.isNaN(percentile([], 50))).toBe(true);
});

test("a rate over an empty window is 0", () => {
  expect(perSecond(10, 0)).toBe(0);
  expect(perSecond(50, 2_000)).toBe(25);
});
