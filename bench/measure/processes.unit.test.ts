import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { waitFor } from "../../lib/testing/index.ts";
import { cpuSecondsBetween, cpuTicksOf, findProcesses, memoryKiBOf } from "./processes.ts";

test("reads this process's CPU ticks and memory from /proc; a missing pid has none", () => {
  expect(cpuTicksOf(process.pid)).toBeGreaterThanOrEqual(0);
  expect(memoryKiBOf(process.pid)).toBeGreaterThan(1024);
  expect(cpuTicksOf(2 ** 30)).toBeUndefined();
  expect(findProcesses([`no-such-command-${crypto.randomUUID()}`])).toEqual([]);
});

test("memory is proportional: pages shared with other processes count a share each, not whole as in RSS", async () => {
  const sleepers = [Bun.spawn(["sleep", "30"]), Bun.spawn(["sleep", "30"])];
  try {
    // Two copies of one program share its and libc's pages: RSS counts them in each, PSS splits them.
    const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
    // Until `sleep` is loaded and asleep (state S), the forked child's few pages may be its own alone.
    const asleep = (pid: number) => / \(sleep\) S /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    await waitFor(() => sleepers.every((s) => asleep(s.pid) && rssKiB(s.pid) > 0));
    for (const sleeper of sleepers) {
      expect(memoryKiBOf(sleeper.pid)).toBeGreaterThan(0);
      expect(memoryKiBOf(sleeper.pid)).toBeLessThan(rssKiB(sleeper.pid));
    }
  } finally {
    for (const sleeper of sleepers) sleeper.kill();
  }
});

test("CPU between marks: a process present at both counts its difference, a new one all of it", () => {
  const from = new Map([["db", new Map([[10, 100], [11, 50]])]]);
  const to = new Map([["db", new Map([[10, 250], [12, 30]])]]);
  expect(cpuSecondsBetween(from, to).get("db")).toBeCloseTo(1.8); // (250 - 100 + 30) ticks at 100 Hz
});
