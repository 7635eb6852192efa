import type { Plan } from "../plan.ts";
import type { FlowResult } from "../run-flow.ts";
import type { Limits } from "../run-limits.ts";

/** Everything one run measured, as the report needs it. */
export type BenchReport = {
  command: string;
  startedAt: Date;
  finishedAt: Date;
  loadAverage: { before: number[]; after: number[] };
  cores: number;
  plan: Plan;
  flows: FlowResult[];
  limits?: Limits;
  postgres: Record<string, string>;
  postgresKind: string;
  /** Whether the flow and pgbench reach PostgreSQL over its Unix socket (the run's own server) or TCP. */
  postgresSocket?: boolean;
  /** The flow's PostgreSQL client (DATABASE_DRIVER). */
  postgresDriver?: string;
  kafkaBrokers: string;
  /** What went wrong: a broken run exits non-zero. */
  broken: string[];
};
