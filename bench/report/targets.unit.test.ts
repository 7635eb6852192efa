import { expect, test } from "bun:test";
import type { FlowResult } from "../run-flow.ts";
import { soakGrowth } from "./targets.ts";

test("soak growth compares each process's first minute of resident memory with its last", () => {
  const minute = 60_000;
  const series = (from: number, to: number) => Array.from({ length: 11 }, (_, i) => ({ at: i * minute, rssKiB: (from + ((to - from) * i) / 10) * 1024 }));
  const flow = {
    soak: { startedAt: 0, endedAt: 10 * minute },
    memory: { flat: series(100, 100), leaking: series(100, 200), "gone early": series(100, 100).slice(0, 2) },
  } as unknown as FlowResult;
  const growth = soakGrowth(flow);
  expect(growth.map((g) => [g.role, Math.round(g.percent)])).toEqual([["flat", 0], ["leaking", 100]]);
});
