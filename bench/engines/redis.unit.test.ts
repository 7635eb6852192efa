import { expect, test } from "bun:test";
import { parseCommandStats } from "./redis.ts";

test("INFO commandstats gives calls per command", () => {
  const info = "# Commandstats\r\ncmdstat_set:calls=287,usec=1200,usec_per_call=4.18\r\ncmdstat_eval:calls=150,usec=900,usec_per_call=6.00\r\n";
  expect([...parseCommandStats(info)]).toEqual([["set", 287], ["eval", 150]]);
});
