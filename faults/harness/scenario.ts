import type { AuditOutcome } from "./audit.ts";
import type { Cluster, ClusterOptions, Engines } from "./cluster.ts";

/** What the auditor runs against once the flow is at rest: a cluster, or `bun run dev`'s data folder. */
export type Audited = { audit(): Promise<AuditOutcome>; outcomes(): Promise<{ orders: number; outcomes: Record<string, number> }> };
import type { Quiescence } from "./quiesce.ts";

export type Tier = "short" | "long";

/** One kind of fault a scenario injects: how often, and what shows it happened. */
export type FaultRecord = { kind: string; injected: number; evidence: string[] };

/** A scenario's own check beyond the auditor's invariants (e.g. "no new charge after the replay"). */
export type Check = { name: string; ok: boolean; detail: string };

export type ScenarioContext = {
  tier: Tier;
  workDir: string;
  /** The shared engines (never stopped by a scenario). */
  engines: Engines;
  /** Starts a cluster that the runner stops afterwards. */
  startCluster(options: Omit<ClusterOptions, "engines"> & { engines?: Engines }): Promise<Cluster>;
  /** Waits for the flow to come to rest and records how it went. */
  settle(cluster: Cluster, options?: { timeoutMs?: number; stuckMs?: number }): Promise<Quiescence>;
  /** Records a quiescence reached some other way (`bun run dev` has no Kafka to ask). */
  settled(quiescence: Quiescence): void;
  /** Records `count` (default 1) injected faults of `kind`, with what proves they fired. */
  fault(kind: string, evidence: string, count?: number): void;
  check(name: string, ok: boolean, detail: string): void;
  setting(name: string, value: string | number): void;
  /** Runs at the end, after the clusters stop (private engines). */
  cleanup(task: () => Promise<unknown>): void;
  progress(message: string): void;
};

export type Scenario = {
  name: string;
  title: string;
  /** What is done to the flow, for the report. */
  fault: string;
  /** The fault kinds that must each fire at least once, or the run fails. */
  faults: string[];
  /** Part of the short tier (`--short`). */
  short?: boolean;
  /** Runs the scenario and returns what the auditor checks, at rest. */
  run(ctx: ScenarioContext): Promise<Audited>;
};

export type ScenarioReport = {
  name: string;
  title: string;
  fault: string;
  tier: Tier;
  orders: number;
  outcomes: Record<string, number>;
  faults: FaultRecord[];
  unfired: string[];
  checks: Check[];
  audit?: AuditOutcome;
  quiescence?: Quiescence;
  settings: Record<string, string>;
  durationMs: number;
  error?: string;
  /** Auditor breaches + failed checks + a scenario that could not finish. */
  breaches: number;
};
