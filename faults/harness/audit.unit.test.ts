import { expect, test } from "bun:test";
import { parseAudit } from "./audit.ts";

test("the auditor's BREACH lines are the breaches", () => {
  const output = "BREACH one-shipment: order o-1: found 2, expected 1\nBREACH outboxes-drained: orders: found 3, expected 0\naudit: 2 breaches (9 invariants over 5 orders and 1 products)\n";
  expect(parseAudit(1, output)).toEqual({
    exitCode: 1,
    breaches: ["BREACH one-shipment: order o-1: found 2, expected 1", "BREACH outboxes-drained: orders: found 3, expected 0"],
    summary: "audit: 2 breaches (9 invariants over 5 orders and 1 products)",
  });
});

test("a clean audit has none", () => {
  expect(parseAudit(0, "audit: no breach (9 invariants over 5 orders and 1 products)\n").breaches).toEqual([]);
});

test("an auditor that crashed, or whose exit code disagrees with its lines, is a breach itself", () => {
  expect(parseAudit(1, "error: connection refused\n").breaches).toHaveLength(1);
  expect(parseAudit(1, "audit: no breach (9 invariants over 5 orders and 1 products)\n").breaches[0]).toStartWith("BREACH auditor: exit code 1");
});
