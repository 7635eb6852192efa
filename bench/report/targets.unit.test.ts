import { expect, test } from "bun:test";
import type { FlowResult } from "../run-flow.ts";
import type { Limits } from "../run-limits.ts";
import { soakGrowth, targets } from "./targets.ts";

test("soak growth compares each process's first minute of memory with its last", () => {
  const minute = 60_000;
  const series = (from: number, to: number) => Array.from({ length: 11 }, (_, i) => ({ at: i * minute, memoryKiB: (from + ((to - from) * i) / 10) * 1024 }));
  const flow = {
    soak: { startedAt: 0, endedAt: 10 * minute },
    memory: { flat: series(100, 100), leaking: series(100, 200), "gone early": series(100, 100).slice(0, 2) },
  } as unknown as FlowResult;
  const growth = soakGrowth(flow);
  expect(growth.map((g) => [g.role, Math.round(g.percent)])).toEqual([["flat", 0], ["leaking", 100]]);
});

test("the accept target is judged on the order API alone and with the flow running behind, each on its own", () => {
  const burst = (perSecond: number, p99: number) => ({ perSecond, count: perSecond * 10, latencyMs: { p50: p99 / 2, p95: p99, p99, max: p99, count: 1, mean: p99 / 2 } });
  const real = { name: "real", closedLoop: { completedPerSecond: 300 }, rates: [], burst: burst(1_100, 137), burstAlone: burst(5_900, 19), memory: {} } as unknown as FlowResult;
  const embedded = { name: "embedded", closedLoop: { completedPerSecond: 250 }, rates: [], burst: burst(990, 180), memory: {} } as unknown as FlowResult;
  const limits = { pgbench: { order: { tps: 4_000 } } } as unknown as Limits;
  const accept = targets([real, embedded], limits).filter((t) => t.target.startsWith("≥ 2,000 accepted"));
  expect(accept.map((t) => [t.target.slice(t.target.indexOf("(")), t.met])).toEqual([
    ["(Kafka + PostgreSQL + Redis; the order API alone, the rest of the flow frozen)", true],
    ["(Kafka + PostgreSQL + Redis; the flow running behind)", false],
    ["(embedded; the flow running behind)", false],
  ]);
  expect(accept[0]!.measured).toBe("5900/s (1.48× pgbench), p99 19.0 ms");
});

test("memory flatness is judged on the flow's processes; a data store's growth and the load generator's are shown, not judged", () => {
  const minute = 60_000;
  const series = (from: number, to: number) => Array.from({ length: 11 }, (_, i) => ({ at: i * minute, memoryKiB: (from + ((to - from) * i) / 10) * 1024 }));
  const flow = (order: [number, number]) =>
    ({
      name: "real",
      closedLoop: { completedPerSecond: 300 },
      rates: [],
      burst: { perSecond: 1, latencyMs: { p99: 1 } },
      soak: { rate: 200, orders: 120_000, inFlightAtEnd: 300, startedAt: 0, endedAt: 10 * minute },
      memory: { order: series(...order), "Redis (the run's server)": series(90, 330), "load generator (this bench process)": series(120, 170) },
      growsByDesign: { "Redis (the run's server)": "each delivery's done key", "load generator (this bench process)": "every order it placed" },
    }) as unknown as FlowResult;
  const limits = { pgbench: { order: { tps: 4_000 } } } as unknown as Limits;
  const soakTarget = (f: FlowResult) => targets([f], limits).find((t) => t.target.startsWith("memory flat"))!;
  expect(soakTarget(flow([100, 104]))).toMatchObject({ met: true, measured: "largest growth: order 4.0 % (100 → 104 MiB)" });
  expect(soakTarget(flow([100, 150]))).toMatchObject({ met: false });
  // First and last minute of a one-minute soak are the same window: shown, never judged.
  const short = { ...flow([100, 150]), soak: { rate: 200, orders: 12_000, inFlightAtEnd: 300, startedAt: 0, endedAt: minute } } as unknown as FlowResult;
  expect(soakTarget(short).met).toBeUndefined();
  expect(soakTarget(short).measured).toContain("a 1.0-minute soak: not judged, the target asks for 10");
});

test("a flow that fell behind the soak's rate is not flat, whatever its figure: its backlog is in its memory", () => {
  const minute = 60_000;
  const flat = Array.from({ length: 11 }, (_, i) => ({ at: i * minute, memoryKiB: 100 * 1024 }));
  const flow = (inFlightAtEnd: number) =>
    ({ name: "embedded", closedLoop: { completedPerSecond: 300 }, rates: [], burst: { perSecond: 1, latencyMs: { p99: 1 } }, soak: { rate: 200, orders: 120_000, inFlightAtEnd, startedAt: 0, endedAt: 10 * minute }, memory: { flow: flat }, growsByDesign: {} }) as unknown as FlowResult;
  const limits = { pgbench: { order: { tps: 4_000 } } } as unknown as Limits;
  const soakTarget = (f: FlowResult) => targets([f], limits).find((t) => t.target.startsWith("memory flat"))!;
  // Kept up: about rate × latency in flight.
  expect(soakTarget(flow(300))).toMatchObject({ met: true, measured: "largest growth: flow 0.0 % (100 → 100 MiB)" });
  const behind = soakTarget(flow(62_000));
  expect(behind.met).toBe(false);
  expect(behind.measured).toContain("the flow fell behind: 62000 orders in flight when the last was sent (97 completed/s while sending)");
});
