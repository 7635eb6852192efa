import { expect, test } from "bun:test";
import { parseConsumerSummary, parseProducerSummary } from "./kafka-perf.ts";

test("the producer's figures come from its steady-state line when there was a warm-up", () => {
  const output = [
    "Warmup first 300 records. Steady state results will print after the complete test summary.",
    "3000 records sent, 2352.941176 records/sec (1.57 MB/sec), 275.67 ms avg latency, 822.00 ms max latency, 278 ms 50th, 333 ms 95th, 348 ms 99th, 350 ms 99.9th.",
    "2700 steady state records sent, 5895.196507 records/sec (3.94 MB/sec), 279.95 ms avg latency, 346.00 ms max latency, 278 ms 50th, 330 ms 95th, 335 ms 99th, 346 ms 99.9th.",
  ].join("\n");
  expect(parseProducerSummary(output)).toEqual({ records: 2700, recordsPerSecond: 5895.196507, mbPerSecond: 3.94, avgMs: 279.95, maxMs: 346, p50Ms: 278, p99Ms: 335 });
  expect(parseProducerSummary("Exception in thread main")).toBeUndefined();
});

test("the consumer's figures are its fetch rate, the group's join left out", () => {
  const output = [
    "Warning: --messages is deprecated. Use --num-records instead.",
    "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
    "2026-11-30 03:37:05:694, 2026-11-30 03:37:07:112, 4.2915, 3.0265, 5000, 3526.0931, 1096, 322, 13.3277, 15527.9503",
  ].join("\n");
  expect(parseConsumerSummary(output)).toEqual({ records: 5000, recordsPerSecond: 15527.9503, mbPerSecond: 13.3277 });
  expect(parseConsumerSummary("")).toBeUndefined();
});
