import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, type Engines, startCluster } from "./cluster.ts";
import { quiesce, type Quiescence } from "./quiesce.ts";
import type { Check, FaultRecord, Scenario, ScenarioContext, ScenarioReport, Tier } from "./scenario.ts";

export type RunOptions = { tier: Tier; engines: Engines; keepLogs?: boolean; progress: (message: string) => void };

/**
 * Runs one scenario: its clusters, its faults, the quiescence wait, then the auditor; always
 * stops what it started. Everything it saw goes into the report, an error included.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioReport> {
  const startedAt = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), `orderflow-faults-${scenario.name}-`));
  const faults = new Map<string, FaultRecord>();
  const checks: Check[] = [];
  const settings: Record<string, string> = {};
  const clusters: Cluster[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  let quiescence: Quiescence | undefined;
  const ctx: ScenarioContext = {
    tier: options.tier,
    workDir,
    engines: options.engines,
    async startCluster(clusterOptions) {
      const cluster = await startCluster(workDir, { engines: options.engines, ...clusterOptions });
      clusters.push(cluster);
      return cluster;
    },
    async settle(cluster, wait) {
      quiescence = await quiesce(cluster, wait);
      return quiescence;
    },
    settled: (reached) => void (quiescence = reached),
    fault(kind, evidence, count = 1) {
      const record = faults.get(kind) ?? faults.set(kind, { kind, injected: 0, evidence: [] }).get(kind)!;
      record.injected += count;
      if (evidence) record.evidence.push(evidence);
    },
    check: (name, ok, detail) => void checks.push({ name, ok, detail }),
    setting: (name, value) => void (settings[name] = String(value)),
    cleanup: (task) => void cleanups.push(task),
    progress: (message) => options.progress(message),
  };

  const report: ScenarioReport = {
    name: scenario.name,
    title: scenario.title,
    fault: scenario.fault,
    tier: options.tier,
    orders: 0,
    outcomes: {},
    faults: [],
    unfired: [],
    checks,
    settings,
    durationMs: 0,
    breaches: 0,
  };
  try {
    const audited = await scenario.run(ctx);
    for (const each of clusters) {
      const died = each.children.crashes;
      ctx.check("no process died on its own", died.length === 0,
        died.length ? died.map((c) => `${c.name} (pid ${c.pid}, exit ${c.code}): ${c.why}`).join("; ") + "; each restarted at once, as compose.yaml's restart policy would" : "none");
    }
    options.progress("auditing");
    report.audit = await audited.audit();
    Object.assign(report, await audited.outcomes());
  } catch (error) {
    report.error = error instanceof Error ? `${error.message}${error.cause ? ` (cause: ${String(error.cause)})` : ""}` : String(error);
  } finally {
    for (const cluster of clusters) await cluster.stop().catch(() => {});
    for (const task of cleanups.reverse()) await task().catch(() => {});
  }
  report.quiescence = quiescence;
  report.faults = [...faults.values()];
  // Fired: injected at least once, with something observed that shows it.
  report.unfired = scenario.faults.filter((kind) => !(faults.get(kind)?.injected && faults.get(kind)?.evidence.length));
  report.breaches = (report.audit?.breaches.length ?? 0) + checks.filter((c) => !c.ok).length + (report.error ? 1 : 0);
  report.durationMs = Date.now() - startedAt;
  // The logs of a run that found something are kept for whoever looks into it.
  if (options.keepLogs || report.breaches > 0 || report.unfired.length > 0) report.settings.logs = workDir;
  else rmSync(workDir, { recursive: true, force: true });
  return report;
}
