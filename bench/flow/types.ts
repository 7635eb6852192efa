import type { KafkaTotals } from "../engines/kafka.ts";
import type { Role } from "../measure/processes.ts";

/** When each step of one order took effect (ms since the epoch), from the services' own records. */
export type EffectTimes = {
  orderId: string;
  paid?: number;
  reserved?: number;
  shipped?: number;
  notified?: number;
  /** When the relay marked each step's event published (its outbox row): the hops between steps. */
  published: { created?: number; paid?: number; reserved?: number; shipped?: number };
};

/** Counts read from the engines, for round trips per order (real engines only). */
export type EngineCounters = {
  statements: Array<{ query: string; calls: number; totalMs: number }>;
  database: Record<string, number>;
  redis: Map<string, number>;
  kafka: KafkaTotals;
};

/** One deployment of the flow, running, with everything the bench reads from it. */
export type FlowUnderTest = {
  name: "embedded" | "real";
  /** What it runs on, for the report. */
  engines: string;
  url(service: "order" | "inventory"): string;
  /** The recording notifier's logs (one per process that sends): completions are counted from them. */
  notificationsFiles: string[];
  roles: Role[];
  /** Where the flow's Bun processes write their CPU profiles when they stop (measure/profiles.ts), when profiled. */
  profileDir?: string;
  settings: Record<string, string>;
  /** Real engines: the counters now (pg_stat_statements, pg_stat_database, Redis, Kafka). */
  counters?: () => Promise<EngineCounters>;
  /**
   * Real engines: the order API on its own, as if on cores of its own. Resolves to where to send
   * the orders (`url`), `freeze`, which stops (SIGSTOP) every other process of the flow and resolves
   * to the function that thaws them (SIGCONT), while the engines run on, and `close`, which stops
   * what it started. One process per service: the order service itself. Whole-flow workers: an
   * order service process of its own on the same database, started here (outside the measured
   * phase), the workers frozen; its orders wait in the outbox and the workers' relays publish them
   * after the thaw.
   */
  orderApiAlone?: () => Promise<AloneOrderApi>;
  /** Stops the flow's processes (gracefully). */
  stop(): Promise<void>;
  /** After stop: when each step of these orders took effect. */
  effects(): Promise<Map<string, EffectTimes>>;
  /** After effects: drops what the run created (database, folders). */
  dispose(): Promise<void>;
};

export type AloneOrderApi = {
  url: string;
  /** A process started for this measure: its code is not yet warm (JIT), as the flow's are by then. */
  fresh: boolean;
  freeze(): Promise<() => Promise<void>>;
  close(): Promise<void>;
};
