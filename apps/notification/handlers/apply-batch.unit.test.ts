import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, inArray, like } from "drizzle-orm";
import fc from "fast-check";
import { toBatchRequest } from "../../../lib/cloudevents/index.ts";
import { createFixedClock } from "../../../lib/clock/index.ts";
import type { Db } from "../../../lib/db/index.ts";
import { hasCode } from "../../../lib/errors/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { createMemoryIdempotencyStore } from "../../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../../lib/log/index.ts";
import { createRecordingNotifier, type Notifier, type RecordingNotifier } from "../../../lib/notifier/index.ts";
import { type CountedDatabase, createCountingTestDatabase, eventFor, outcomesOf, signedForTest, type TestEngine, testEngines, testSecurity, webhookUrl } from "../../../lib/testing/index.ts";
import { createApp } from "../app.ts";
import type { NotificationDeps } from "../deps.ts";
import { type NotifiedEvent, type NotifiedType, notifiedTypes, stageOf } from "../domain/stages.ts";
import { notifications } from "../store/schema.ts";
import { applyBatch } from "./apply-batch.ts";
import { notify } from "./notify.ts";

/**
 * applyBatch against notify(), its event-by-event original: the same events, applied as pushed
 * batches on one database and one by one on another, give the same answers, rows, messages sent
 * and log lines. Each property run uses orders of its own (`r<run>-…`), so the runs share two
 * databases (one per path). On PGlite always, and on PostgreSQL when DATABASE_URL is set.
 */
type Opened = Awaited<ReturnType<TestEngine["open"]>>;
const engines = testEngines();

/** Deps on `db` whose notifier records every attempt (a message sent twice shows) and whose log lines are kept. */
function depsOn(db: Db, notifier: Notifier = createRecordingNotifier()) {
  const log = createMemoryLogger();
  const deps: NotificationDeps = { db, notifier, clock: createFixedClock(), log, idempotency: createMemoryIdempotencyStore(), security: testSecurity };
  return { deps, log };
}

/** What the customer got: each message once, by key, content included. */
const sentOf = (notifier: RecordingNotifier) => [...notifier.sent()].sort((a, b) => a.idempotencyKey.localeCompare(b.idempotencyKey));
const resentOf = (notifier: RecordingNotifier) => notifier.attempts().filter((attempt) => attempt.duplicate);
/** Log lines without the time they were written. */
const linesOf = (log: ReturnType<typeof createMemoryLogger>) => log.lines().map((line) => ({ ...JSON.parse(line), time: undefined }));

async function rowsOf(db: Db, prefix: string) {
  return db
    .select({ key: notifications.key, status: notifications.status, stage: notifications.stage, claimedUntil: notifications.claimedUntil })
    .from(notifications)
    .where(like(notifications.orderId, `${prefix}-%`))
    .orderBy(asc(notifications.key));
}

/** A row a delivery left behind: sent, skipped, or claimed by a sender that crashed (its lease ran out, or was given back). */
type PriorStatus = "sent" | "skipped" | "sending-expired" | "sending-released";
async function insertPrior(db: Db, type: NotifiedType, orderId: string, status: PriorStatus) {
  const sending = status.startsWith("sending");
  await db.insert(notifications).values({
    key: `${type}:${orderId}`,
    orderId,
    userId: `user-of-${orderId}`,
    type,
    stage: stageOf[type],
    // Recorded in older words: a claim taken over is sent as it was recorded.
    subject: `recorded subject of ${type}`,
    body: `recorded body of ${orderId}`,
    status: sending ? "sending" : (status as "sent" | "skipped"),
    claimedUntil: status === "sending-expired" ? new Date(Date.now() - 60_000) : null,
    createdAt: new Date(),
  });
}

const orderCount = 3;
/**
 * Events of every notified type over three orders, in any order (a later step before an earlier
 * one), the same type and order again (under the same or another id), some keys with a row
 * already, and the events cut into one to three consecutive pushes.
 */
const scenario = fc.record({
  events: fc.array(fc.record({ type: fc.constantFrom(...notifiedTypes), order: fc.nat({ max: orderCount - 1 }), id: fc.nat({ max: 1 }) }), {
    minLength: 1,
    maxLength: 14,
  }),
  prior: fc.uniqueArray(
    fc.record({
      type: fc.constantFrom(...notifiedTypes),
      order: fc.nat({ max: orderCount - 1 }),
      status: fc.constantFrom<PriorStatus>("sent", "skipped", "sending-expired", "sending-released"),
    }),
    { maxLength: 4, selector: ({ type, order }) => `${type}:${order}` },
  ),
  cuts: fc.uniqueArray(fc.nat({ max: 13 }), { maxLength: 2 }),
});

function pushesOf(events: NotifiedEvent[], cuts: number[]): NotifiedEvent[][] {
  const at = [...new Set(cuts.filter((cut) => cut > 0 && cut < events.length))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => events.slice(start, [...at, events.length][i]));
}

for (const engine of engines) {
  describe(`applyBatch on ${engine.name}`, () => {
    let batched: Opened;
    let oneByOne: Opened;
    beforeAll(async () => {
      [batched, oneByOne] = await Promise.all([engine.open(), engine.open()]);
    }, 60_000);
    afterAll(async () => Promise.all([batched?.close(), oneByOne?.close()]), 60_000);

    test("pushed batches answer, record, send and log what notify() does one event after the other", async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async (drawn) => {
          const run = `r${++runs}`;
          const orderId = (order: number) => `${run}-o${order}`;
          for (const db of [batched.database.db, oneByOne.database.db]) {
            for (const { type, order, status } of drawn.prior) await insertPrior(db, type, orderId(order), status);
          }
          const events = drawn.events.map(({ type, order, id }) => eventFor(type, orderId(order), { id: `${run}-e${id}` }) as NotifiedEvent);

          const batchNotifier = createRecordingNotifier();
          const batch = depsOn(batched.database.db, batchNotifier);
          const batchOutcomes: Outcome[] = [];
          for (const push of pushesOf(events, drawn.cuts)) batchOutcomes.push(...(await applyBatch(batch.deps, push)));

          const singleNotifier = createRecordingNotifier();
          const single = depsOn(oneByOne.database.db, singleNotifier);
          const singleOutcomes: Outcome[] = [];
          for (const event of events) singleOutcomes.push(await notify(single.deps, event));

          expect(batchOutcomes).toEqual(singleOutcomes);
          const rowsOn = async (db: Db) => (await rowsOf(db, run)).map(({ claimedUntil: _, ...row }) => row);
          expect(await rowsOn(batched.database.db)).toEqual(await rowsOn(oneByOne.database.db));
          expect(sentOf(batchNotifier)).toEqual(sentOf(singleNotifier));
          expect(resentOf(batchNotifier)).toEqual([]);
          expect(linesOf(batch.log)).toEqual(linesOf(single.log));
        }),
        { numRuns: 30 },
      );
    }, 120_000);

    test("a send that fails: the sent rows are marked, the rest given back, and notify() finishes them at once, nothing sent twice", async () => {
      const db = batched.database.db;
      const failOn = "com.example.payment.completed:f-o2";
      const notifier = createRecordingNotifier();
      let failures = 0;
      const flaky: Notifier = {
        send: async (message) => {
          if (message.idempotencyKey === failOn && failures++ === 0) throw new Error("provider timed out");
          return notifier.send(message);
        },
      };
      const { deps } = depsOn(db, flaky);
      const steps = ["com.example.order.created", "com.example.payment.completed", "com.example.stock.reserved"] as const;
      const events = Array.from({ length: 4 }, (_, order) => steps.map((type) => eventFor(type, `f-o${order}`) as NotifiedEvent)).flat();

      const failure = await applyBatch(deps, events).catch((error: unknown) => error);
      expect(hasCode(failure, "notification.batch_send_failed")).toBe(true);
      const rows = await rowsOf(db, "f");
      // Every claim is settled: sent, or given back (no lease) for the next delivery to take over now.
      for (const row of rows) expect(row.status === "sent" || (row.status === "sending" && row.claimedUntil === null)).toBe(true);
      expect(rows.find((row) => row.key === failOn)).toMatchObject({ status: "sending", claimedUntil: null });
      const sentBefore = new Set(rows.filter((row) => row.status === "sent").map((row) => row.key));
      expect(new Set(notifier.sent().map((sent) => sent.idempotencyKey))).toEqual(sentBefore);

      // The webhook's fallback: each event on its own, under the same fast-path claims.
      const outcomes: Outcome[] = [];
      for (const event of events) outcomes.push(await notify(deps, event));
      expect(outcomes).toEqual(events.map((event) => (sentBefore.has(`${event.type}:${event.data.orderId}`) ? "duplicate" : "processed")));
      expect((await rowsOf(db, "f")).map((row) => row.status)).toEqual(events.map(() => "sent"));
      expect(notifier.sent()).toHaveLength(events.length);
      expect(resentOf(notifier)).toEqual([]);
    });

    test("a key another delivery is sending: the batch gives up before writing anything (notify() answers it 503, event by event)", async () => {
      const db = batched.database.db;
      await db.insert(notifications).values({
        key: "com.example.stock.reserved:l-o1", orderId: "l-o1", userId: "u-1", type: "com.example.stock.reserved", stage: 30, subject: "s", body: "b",
        status: "sending", claimedUntil: new Date(Date.now() + 60_000), createdAt: new Date(),
      });
      const notifier = createRecordingNotifier();
      const { deps } = depsOn(db, notifier);
      const events = [eventFor("com.example.order.created", "l-o0"), eventFor("com.example.stock.reserved", "l-o1"), eventFor("com.example.shipment.created", "l-o1")] as NotifiedEvent[];
      const failure = await applyBatch(deps, events).catch((error: unknown) => error);
      expect(hasCode(failure, "notification.in_progress")).toBe(true);
      expect((await rowsOf(db, "l")).map((row) => row.key)).toEqual(["com.example.stock.reserved:l-o1"]);
      expect(notifier.attempts()).toEqual([]);
    });
  });
}

describe("through the webhook", () => {
  let counted: CountedDatabase;
  beforeAll(async () => {
    counted = await createCountingTestDatabase();
  }, 60_000);
  afterAll(async () => counted?.database.close(), 60_000);

  /** Twenty events: ten orders, each created and paid. */
  const twentyFor = (prefix: string) =>
    Array.from({ length: 10 }, (_, i) => [eventFor("com.example.order.created", `${prefix}-o${i}`), eventFor("com.example.payment.completed", `${prefix}-o${i}`)]).flat();

  test("a push of 20 through the webhook takes the batch path, in 5 statements (and begin, commit), where notify() takes 5 an event", async () => {
    const notifier = createRecordingNotifier();
    const log = createMemoryLogger();
    const app = createApp({ db: counted.database.db, notifier, clock: createFixedClock(), log, idempotency: createMemoryIdempotencyStore(), security: testSecurity });
    const events = twentyFor("push");
    const before = counted.statements();
    const answered = await app.request(await signedForTest(toBatchRequest(webhookUrl("notification"), events)));
    const batchStatements = counted.statements() - before;

    expect(await outcomesOf(answered)).toEqual(events.map(() => "processed"));
    expect(log.lines().filter((line) => line.includes("batch applied event by event"))).toEqual([]);
    // The locks, the keys' rows, the stories, the one insert; after the sends, the one update.
    expect(batchStatements).toBe(5);
    expect(notifier.sent()).toHaveLength(20);
    const rows = await counted.database.db.select({ status: notifications.status }).from(notifications).where(inArray(notifications.key, events.map((e) => `${e.type}:${e.data.orderId}`)));
    expect(rows.map((row) => row.status)).toEqual(events.map(() => "sent"));

    const { deps } = depsOn(counted.database.db);
    const single = twentyFor("single") as NotifiedEvent[];
    const beforeSingle = counted.statements();
    for (const event of single) await notify(deps, event);
    expect(counted.statements() - beforeSingle).toBe(5 * single.length);
  });

  test("a send that fails mid-push: the push goes event by event, every message reaches the customer once, none waits for a lease", async () => {
    const notifier = createRecordingNotifier();
    const failOn = "com.example.payment.completed:wf-o3";
    let failures = 0;
    const flaky: Notifier = {
      send: async (message) => {
        if (message.idempotencyKey === failOn && failures++ === 0) throw new Error("provider timed out");
        return notifier.send(message);
      },
    };
    const log = createMemoryLogger();
    const app = createApp({ db: counted.database.db, notifier: flaky, clock: createFixedClock(), log, idempotency: createMemoryIdempotencyStore(), security: testSecurity });
    const events = twentyFor("wf").slice(0, 12);
    const outcomes = await outcomesOf(await app.request(await signedForTest(toBatchRequest(webhookUrl("notification"), events))));

    // Sent by the batch: a duplicate to the fallback; the rest, the failed one included, sent by it.
    expect(outcomes.every((outcome) => outcome === "processed" || outcome === "duplicate")).toBe(true);
    expect(outcomes[events.findIndex((event) => `${event.type}:${event.data.orderId}` === failOn)]).toBe("processed");
    expect(log.lines().filter((line) => line.includes("batch applied event by event") && line.includes("notification.batch_send_failed"))).toHaveLength(1);
    expect(notifier.sent().map((sent) => sent.idempotencyKey).sort()).toEqual(events.map((event) => `${event.type}:${event.data.orderId}`).sort());
    expect(resentOf(notifier)).toEqual([]);
    expect((await rowsOf(counted.database.db, "wf")).map((row) => row.status)).toEqual(events.map(() => "sent"));
  });
});
