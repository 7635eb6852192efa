import { mkdirSync } from "node:fs";
import { Hono } from "hono";
import { type Clock, type Ids, systemClock, uuidV7Ids } from "../../lib/clock/index.ts";
import { migrate } from "../../lib/db/index.ts";
import { type EngineConfig, openBroker, openDatabase, openIdempotencyStore } from "../../lib/engines/index.ts";
import { allTopics } from "../../lib/events/index.ts";
import { authenticated, internalListener, notFound, onErrorWith, publicListener, staffOnly } from "../../lib/http/index.ts";
import { type FolderLock, lockDataDir } from "../../lib/lock/index.ts";
import { createLogger, type Logger } from "../../lib/log/index.ts";
import { createOutboxRelay } from "../../lib/outbox/index.ts";
import { type Caller, createServiceSecurity, createWebhookSigner, devSecurityEnv, issueToken, securityConfigFromEnv } from "../../lib/security/index.ts";
import type { RunningService } from "../../lib/service/index.ts";
import { createDispatcher } from "../dispatcher/dispatcher.ts";
import { listDeadLetters, redrive } from "../replay/dead-letter-cli.ts";
import { filterOf, selectionOf } from "../replay/dead-letter-selection.ts";
import { replayDeadLetters } from "../replay/replay-dead-letters.ts";
import { replayTarget } from "../replay/replay-target.ts";
import { outboxes, roster, subscriptions } from "../roster.ts";

export type FlowOptions = EngineConfig & {
  clock?: Clock;
  ids?: Ids;
  /** Default: JSON lines on stdout from LOG_LEVEL (in `env`) up; each service, the relay and the dispatcher log through a child. */
  log?: Logger;
  retryBaseDelayMs?: number;
  /** The services' own settings (RESERVATION_TTL_MS, …); tests shorten them. */
  env?: Record<string, string | undefined>;
  /** Shorthand for inventory's RESERVATION_TTL_MS, _GRACE_MS and _SWEEP_MS. */
  reservation?: { ttlMs?: number; graceMs?: number; sweepMs?: number };
};

/**
 * The whole flow in one process: every service of the roster behind one public app and one
 * internal one, the outbox relay, and the dispatcher delivering in-process. The same delivery path
 * as with separate processes: outbox → broker → consumer group → signed push → webhook. Secrets
 * come from the environment, or are made on first start and kept under DATA_DIR.
 */
export async function composeFlow(options: FlowOptions) {
  mkdirSync(options.dataDir, { recursive: true });
  // One process per DATA_DIR, taken before anything in it is opened (secrets, PGlite, the broker,
  // the notifier's record); a kernel lock, so it dies with a killed holder.
  const dataDirLock = lockDataDir(options.dataDir);
  try {
    return await composeInLockedDir(options, dataDirLock);
  } catch (error) {
    dataDirLock.release();
    throw error;
  }
}

async function composeInLockedDir(options: FlowOptions, dataDirLock: FolderLock) {
  const { clock = systemClock, ids = uuidV7Ids } = options;
  const env = { ...reservationEnv(options.reservation), ...options.env };
  const log = options.log ?? createLogger({ name: "orderflow", level: env.LOG_LEVEL });
  const securityConfig = securityConfigFromEnv({ ...env, ...devSecurityEnv(options.dataDir, env) });
  const security = createServiceSecurity(securityConfig);
  const database = await openDatabase(options);
  await migrate(database);
  const broker = await openBroker(options, log);
  await broker.ensureTopics(allTopics);
  const idempotency = openIdempotencyStore(options, log);
  const context = { database, idempotency, security, clock, ids, dataDir: options.dataDir, env };
  const services = new Map<string, RunningService>(roster.map((service) => [service.name, service.create({ ...context, log: log.child({ service: service.name }) })]));

  const app = new Hono();
  app.onError(onErrorWith(log));
  app.notFound(notFound);
  let ready = false;
  app.get("/health", (c) => (ready ? c.json({ status: "ok" }) : c.json({ status: "starting" }, 503)));
  // Dead letters back onto their topics once the cause is fixed (docs/operations.md); staff only.
  app.post("/admin/dead-letters/replay", authenticated(security.verifyToken), staffOnly, async (c) =>
    c.json(await replayDeadLetters({ broker, service: replayTarget(c.req.query("service")), idleMs: 500, log: log.child({ component: "replay" }) })),
  );
  // Listing reads without consuming; a redrive puts a selection back once (apps/replay/dead-letter-cli.ts).
  app.get("/admin/dead-letters", authenticated(security.verifyToken), staffOnly, async (c) => c.json({ deadLetters: await listDeadLetters(broker, filterOf(c.req.query())) }));
  app.post("/admin/dead-letters/redrive", authenticated(security.verifyToken), staffOnly, async (c) => {
    const selection = selectionOf(await c.req.json().catch(() => undefined));
    return c.json(await redrive(broker, selection, log.child({ component: "redrive" })));
  });
  // Every service's routes in one app (their paths do not overlap), seen through two listeners.
  const everyService = new Hono();
  everyService.onError(onErrorWith(log));
  everyService.notFound(notFound);
  for (const service of services.values()) everyService.route("/", service.app);
  const toPublic = publicListener(everyService);
  app.all("*", (c) => toPublic(c.req.raw));
  const internal = internalListener(everyService);

  const relay = createOutboxRelay({ database, broker, outboxes, log: log.child({ component: "relay" }) });
  const dispatcher = createDispatcher({
    broker,
    subscriptions,
    // In-process, yet through the internal listener and its signature check: one path.
    sign: createWebhookSigner(securityConfig.webhookSecrets),
    deliver: async (_service, request) => internal(request),
    retry: options.retryBaseDelayMs === undefined ? undefined : { baseDelayMs: options.retryBaseDelayMs },
    log: log.child({ component: "dispatcher" }),
  });

  return {
    /** The public listener: customers' and staff's API. */
    app,
    /** The internal listener: signed event pushes only. */
    internal,
    database,
    broker,
    /** A bearer token for `sub` (dev mode and tests), signed with the flow's HS256 secret. */
    tokenFor: (sub: string, role: Caller["role"] = "customer") => issueToken(securityConfig.tokens, { sub, role }),
    async start() {
      await relay.start();
      await dispatcher.start();
      for (const service of services.values()) await service.start?.();
      ready = true;
    },
    async stop() {
      ready = false;
      for (const service of services.values()) await service.stop?.();
      await dispatcher.stop();
      await relay.stop();
      await broker.close();
      await idempotency.close();
      await database.close();
      dataDirLock.release();
    },
  };
}

function reservationEnv(reservation: FlowOptions["reservation"] = {}): Record<string, string | undefined> {
  const text = (ms?: number) => (ms === undefined ? undefined : String(ms));
  return { RESERVATION_TTL_MS: text(reservation.ttlMs), RESERVATION_GRACE_MS: text(reservation.graceMs), RESERVATION_SWEEP_MS: text(reservation.sweepMs) };
}

export type Flow = Awaited<ReturnType<typeof composeFlow>>;
