import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { systemClock, uuidV7Ids } from "../../lib/clock/system.ts";
import type { Clock, Ids } from "../../lib/clock/types.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { messaging } from "../../lib/db/schemas.ts";
import { allTopics } from "../../lib/events/catalog.ts";
import { type ServiceName, subscriptions } from "../../lib/events/subscriptions.ts";
import { notFound, onError } from "../../lib/http/problem.ts";
import { createRecordingNotifier } from "../../lib/notifier/recording.ts";
import { createOutboxRelay } from "../../lib/outbox/relay.ts";
import { sandboxLedgerRoutes } from "../../lib/payment-gateway/ledger-routes.ts";
import { createSandboxGateway } from "../../lib/payment-gateway/sandbox.ts";
import { createDispatcher } from "../dispatcher/dispatcher.ts";
import { replayDeadLetters } from "../replay/replay-dead-letters.ts";
import * as inventory from "../inventory/app.ts";
import { startReservationExpiry } from "../inventory/handlers/expire-reservations.ts";
import * as notification from "../notification/app.ts";
import * as order from "../order/app.ts";
import * as payment from "../payment/app.ts";
import * as shipping from "../shipping/app.ts";
import { type EngineConfig, openBroker, openDatabase, openIdempotencyStore } from "../../lib/engines/engines.ts";

export type FlowOptions = EngineConfig & {
  clock?: Clock;
  ids?: Ids;
  log?: (message: string) => void;
  retryBaseDelayMs?: number;
  /** Reservation lifetime, grace and sweep period (inventory); tests shorten them. */
  reservation?: { ttlMs?: number; graceMs?: number; sweepMs?: number };
};

/**
 * The whole flow in one process: five services behind one Hono app, the outbox relay and the
 * dispatcher delivering in-process. The same delivery path as with separate processes: outbox →
 * broker → consumer group → webhook.
 */
export async function composeFlow(options: FlowOptions) {
  const { clock = systemClock, ids = uuidV7Ids, log = console.log } = options;
  mkdirSync(options.dataDir, { recursive: true });
  const database = await openDatabase(options);
  await migrate(database);
  const broker = await openBroker(options);
  await broker.ensureTopics(allTopics);
  const idempotency = openIdempotencyStore(options, log);
  const db = database.db;
  const notifier = createRecordingNotifier({ file: join(options.dataDir, "notifications.jsonl"), log });
  const gateway = createSandboxGateway({ db, clock, ids });

  const inventoryDeps = { db, idempotency, clock, ids, reservationTtlMs: options.reservation?.ttlMs, reservationGraceMs: options.reservation?.graceMs };
  let stopExpiry = async () => {};
  const services: Record<ServiceName, Hono> = {
    order: order.createApp({ db, idempotency, clock, ids }),
    payment: payment.createApp({ db, idempotency, gateway, clock, ids }),
    inventory: inventory.createApp(inventoryDeps),
    shipping: shipping.createApp({ db, idempotency, clock, ids }),
    notification: notification.createApp({ db, idempotency, notifier, clock }),
  };
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);
  let ready = false;
  app.get("/health", (c) => (ready ? c.json({ status: "ok" }) : c.json({ status: "starting" }, 503)));
  app.route("/", sandboxLedgerRoutes(db));
  // Dead letters back onto their topics once the cause is fixed (docs/operations.md).
  app.post("/admin/dead-letters/replay", async (c) =>
    c.json(await replayDeadLetters({ broker, service: c.req.query("service") || undefined, idleMs: 500, log })),
  );
  for (const service of Object.values(services)) app.route("/", service);

  const relay = createOutboxRelay({
    database,
    broker,
    outboxes: Object.values(messaging),
  });
  const dispatcher = createDispatcher({
    broker,
    subscriptions,
    deliver: async (service, request) => services[service].fetch(request),
    retry: options.retryBaseDelayMs === undefined ? undefined : { baseDelayMs: options.retryBaseDelayMs },
    log,
  });

  return {
    app,
    database,
    broker,
    notifier,
    async start() {
      await relay.start();
      await dispatcher.start();
      stopExpiry = startReservationExpiry(inventoryDeps, options.reservation?.sweepMs, log);
      ready = true;
    },
    async stop() {
      ready = false;
      await stopExpiry();
      await dispatcher.stop();
      await relay.stop();
      await broker.close();
      await idempotency.close();
      await database.close();
    },
  };
}

export type Flow = Awaited<ReturnType<typeof composeFlow>>;
