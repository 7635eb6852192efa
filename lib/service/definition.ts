import type { PgSchema } from "drizzle-orm/pg-core";
import type { Hono } from "hono";
import type { Clock, Ids } from "../clock/index.ts";
import type { Database } from "../db/index.ts";
import type { EventType } from "../events/index.ts";
import type { IdempotencyStore } from "../idempotency/index.ts";
import type { Logger } from "../log/index.ts";
import type { OutboxTable } from "../outbox/index.ts";
import type { ServiceSecurity } from "../security/index.ts";

/** What every service is built from: the engines, time and ids, its settings and a log. */
export type ServiceContext = {
  database: Database;
  idempotency: IdempotencyStore;
  /** Signed pushes and bearer tokens: what the service checks at its doors. */
  security: ServiceSecurity;
  clock: Clock;
  ids: Ids;
  /** Where a service may keep files (the recording notifier's log). */
  dataDir: string;
  /** The service's own settings (RESERVATION_TTL_MS, …): the process environment, or a test's. */
  env: Record<string, string | undefined>;
  /** The service's logger (its lines name the service); never a token, an address or a whole event. */
  log: Logger;
};

/** A built service: its Hono app (API and webhook), and work that runs beside it (a sweeper). */
export type RunningService = { app: Hono; start?(): void | Promise<void>; stop?(): Promise<void> };

/**
 * One entry of the roster (apps/roster.ts): everything the roots need to know of a service. The
 * dispatcher derives its subscription (topics from the catalogue), the relay its outbox, the
 * process runner its port, `bun run dev` the whole flow.
 */
export type ServiceDefinition<S extends readonly EventType[] = readonly EventType[], N extends string = string> = {
  readonly name: N;
  /** Where `bun run start <name>` listens unless PORT says otherwise. */
  readonly port: number;
  /** Its PostgreSQL schema: no other service reads its tables. */
  readonly schema: PgSchema;
  readonly subscribes: S;
  /**
   * Pushes the dispatcher has in flight to it at once (default DISPATCH_CONCURRENCY). 1 where the
   * handlers of different orders write the same rows in one batch transaction (inventory's stock):
   * two batches locking the same products in different orders would deadlock; one at a time,
   * what arrives meanwhile goes in the next batch.
   */
  readonly pushConcurrency?: number;
  /** Present when the service emits events: the relay publishes it. */
  readonly outbox?: OutboxTable;
  create(context: ServiceContext): RunningService;
};

export function defineService<const S extends readonly EventType[], const N extends string>(definition: ServiceDefinition<S, N>): ServiceDefinition<S, N> {
  return definition;
}
