import type { AuditResult } from "./run-audit.ts";

/** The audit for a person: one line per breach (invariant, what, found vs expected), then a summary. */
export function formatAudit({ checked, breaches }: AuditResult): string {
  const lines = breaches.map((b) => `BREACH ${b.invariant}: ${b.subject}: found ${b.found}, expected ${b.expected}`);
  const scope = `${checked.invariants.length} invariants over ${checked.orders} orders and ${checked.products} products${checked.notificationLog ? ", with the notifier's log" : ""}`;
  const summary = breaches.length === 0 ? `audit: no breach (${scope})` : `audit: ${breaches.length} breach${breaches.length === 1 ? "" : "es"} (${scope})`;
  return [...lines, summary].join("\n");
}
