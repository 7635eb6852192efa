import { expect, test } from "bun:test";
import { cpuSecondsBetween, cpuTicksOf, findProcesses, rssKiBOf } from "./processes.ts";

test("reads this process's CPU ticks and resident memory from /proc; a missing pid has none", () => {
  expect(cpuTicksOf(process.pid)).toBeGreaterThanOrEqual(0);
  expect(rssKiBOf(process.pid)).toBeGreaterThan(1024);
  expect(cpuTicksOf(2 ** 30)).toBeUndefined();
  expect(findProcesses([`no-such-command-${crypto.randomUUID()}`])).toEqual([]);
});

test("CPU between marks: a process present at both counts its difference, a new one all of it", () => {
  const from = new Map([["db", new Map([[10, 100], [11, 50]])]]);
  const to = new Map([["db", new Map([[10, 250], [12, 30]])]]);
  expect(cpuSecondsBetween(from, to).get("db")).toBeCloseTo(1.8); // (250 - 100 + 30) ticks at 100 Hz
});
