import { afterAll, beforeAll } from "bun:test";
import type { Hono } from "hono";
import type { ValidCloudEvent } from "../cloudevents/index.ts";
import type { Database, Db } from "../db/index.ts";
import type { EventType } from "../events/index.ts";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "../idempotency/index.ts";
import { createTestDatabase } from "./database.ts";
import { type Answer, createForgetfulIdempotencyStore } from "./events.ts";
import type { ServiceSecurity } from "../security/index.ts";
import { testSecurity } from "./security.ts";

/** A service as its webhook tests reach it, built on one database. */
export type WebhookWorld = {
  db: Db;
  /** The app as deployed: one in-memory fast path in front of the database, kept across requests. */
  app: Hono;
  /** A new app whose fast path forgets every key (lost Redis keys): only the database decides. */
  withoutFastPath(): Hono;
};

/** One event a service handles, and how to count the effect handling it has. */
export type WebhookCase<W extends WebhookWorld> = {
  name: string;
  /** The event for `orderId`; `id` replaces its default id (stable per order and type). */
  event(orderId: string, id?: string): ValidCloudEvent;
  /** Makes what the event needs (an order, stock, an earlier event); returns the order's id. */
  prepare?(world: W, label: string): Promise<string>;
  /** How many times the effect happened (rows, emitted events, charges, sends): 1 after one delivery. */
  effects(world: W, orderId: string): Promise<number>;
  /** What one effect looks like beyond its count: a status, the emitted event's data. */
  check?(world: W, orderId: string): Promise<void>;
  /**
   * What a second event id for the same order answers when the service's keys still make it one
   * effect: "duplicate" where the dedup key is the order, "processed" where the event is recorded
   * but changes nothing. Left out: the case has no such rule.
   */
  sameOrder?: Answer;
};

/** Everything service-specific the contract needs (lib/ imports nothing from apps/). */
export type WebhookFixture<W extends WebhookWorld> = {
  service: string;
  build(database: Database): W;
  /** The default `prepare`: a new order's id. Without it, the label is the order id. */
  newOrder?(world: W, label: string): Promise<string>;
  cases: Array<WebhookCase<W>>;
  /**
   * Without the fast path, concurrent deliveries wait for the winner's transaction and are
   * duplicates; true where the database itself answers 503 instead (a send lease).
   */
  busyWithoutFastPath?: boolean;
  /** Refused requests carry the event of `valid` (whose effects must stay 0) or `invalid`. */
  refusals: {
    valid: WebhookCase<W>;
    /** A catalogue type the service does not subscribe to; left out where it follows them all. */
    unhandled?: EventType;
    invalid(orderId: string): ValidCloudEvent;
    invalidField: string;
  };
};

/**
 * A world from the service's `createApp` and its deps: `app` with an in-memory fast path kept
 * across requests, `withoutFastPath()` a new app each call whose store forgets every key.
 */
export function worldOf<D extends { db: Db; idempotency: IdempotencyStore; security: ServiceSecurity }>(
  createApp: (deps: D) => Hono,
  deps: Omit<D, "idempotency" | "security">,
): WebhookWorld {
  const withStore = (idempotency: IdempotencyStore) => createApp({ ...deps, idempotency, security: testSecurity } as D);
  return { db: deps.db, app: withStore(createMemoryIdempotencyStore()), withoutFastPath: () => withStore(createForgetfulIdempotencyStore()) };
}

/** The case's order: its own `prepare`, else the fixture's `newOrder`, else the label itself. */
export function prepareOrder<W extends WebhookWorld>(fixture: WebhookFixture<W>, each: WebhookCase<W>, world: W, label: string): Promise<string> {
  if (each.prepare) return each.prepare(world, label);
  if (fixture.newOrder) return fixture.newOrder(world, label);
  return Promise.resolve(label);
}

/** The fixture's world on a PGlite of the test file's own, for the tests only that service has. */
export function testWorld<W extends WebhookWorld>(fixture: WebhookFixture<W>): () => W {
  let database: Database | undefined;
  let world: W | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    world = fixture.build(database);
  }, 60_000);
  afterAll(async () => database?.close(), 60_000);
  return () => {
    if (!world) throw new Error(`the ${fixture.service} test world is opened in beforeAll`);
    return world;
  };
}

/** Names a case after its type: "com.example.payment.completed" → "payment.completed". */
export const shortType = (type: string) => type.replace(/^com\.example\./, "");
