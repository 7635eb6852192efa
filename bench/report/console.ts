import { stages } from "../measure/stages.ts";
import { engineLabel, figuresOf, formatRatio, formatValue } from "./figures.ts";
import { nextLever, targets } from "./targets.ts";
import type { BenchReport } from "./types.ts";

const pad = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
};

/** The run's figures on stdout, each with its ratio to its limit. */
export function printReport(report: BenchReport): void {
  const lines: string[] = [];
  for (const flow of report.flows) {
    lines.push("", `== ${engineLabel(flow)}: ${flow.engines}`);
    if (!report.limits) continue;
    // Stage latencies at p50 and p99 here; docs/performance.md has p95 and max too.
    const figures = figuresOf(flow, report.limits).filter((f) => !f.name.includes("→") || / p(50|99)$/.test(f.name));
    lines.push(pad([["figure", "value", "ratio", "to"], ...figures.map((f) => [f.name, formatValue(f.value, f.unit), formatRatio(f.ratio), `${f.limitName} (${formatValue(f.limit, f.unit)})`])]));
    lines.push(...nextLever(flow).map((line) => `- ${line}`));
  }
  if (report.flows.length > 0 && !report.limits) {
    for (const flow of report.flows) {
      lines.push(`${flow.name}: ${flow.closedLoop.completedPerSecond.toFixed(1)} completed/s; burst ${flow.burst.perSecond.toFixed(0)}/s${flow.burstAlone ? `, the order API alone ${flow.burstAlone.perSecond.toFixed(0)}/s` : ""}`);
      for (const rate of flow.rates) lines.push(`  ${rate.rate}/s: ${stages.map((s) => `${s} p50 ${rate.stages[s].p50.toFixed(1)} ms`).join(", ")}`);
    }
  }
  lines.push("", "== targets", pad(targets(report.flows, report.limits).map((t) => [t.met === undefined ? "-" : t.met ? "met" : "MISSED", t.target, t.measured])));
  if (report.broken.length > 0) lines.push("", "== BROKEN RUN", ...report.broken.map((b) => `- ${b}`));
  console.log(lines.join("\n"));
}
