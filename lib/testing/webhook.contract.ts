import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toBatchRequest } from "../cloudevents/index.ts";
import { answerOf, deliver, deliverConcurrently, modes, outcomesOf, problemOf, tally, webhookUrl } from "./events.ts";
import { testEngines } from "./test-databases.ts";
import { prepareOrder, type WebhookCase, type WebhookFixture, type WebhookWorld } from "./webhook-fixture.ts";
import { refusalTests } from "./webhook-refusals.ts";
import { signedForTest } from "./security.ts";

/**
 * What every service's webhook promises (docs/architecture.md#idempotency), run against each one
 * from its fixture, on PGlite and, when configured, PostgreSQL: an event delivered twice, in a row
 * or at once, with or without the fast path, has one effect; a refused request changes nothing.
 */
export function webhookContract<W extends WebhookWorld>(fixture: WebhookFixture<W>): void {
  for (const engine of testEngines()) {
    describe(`${fixture.service} webhook contract on ${engine.name}`, () => {
      let world: W | undefined;
      let close = async () => {};
      beforeAll(async () => {
        const opened = await engine.open();
        close = opened.close;
        world = fixture.build(opened.database);
      }, 60_000);
      afterAll(() => close(), 60_000);
      const worldOf = () => world ?? failed(fixture.service);

      for (const each of fixture.cases) {
        describe(each.name, () => {
          const subject = subjectOf(fixture, each, worldOf);
          redeliveryTests(subject);
          if (each.sameOrder !== undefined) sameOrderTests(subject, each.sameOrder);
        });
      }
      describe("refusals", () => refusalTests(fixture, worldOf));
    });
  }
}

function failed(service: string): never {
  throw new Error(`the ${service} contract's world did not open`);
}

type Subject<W extends WebhookWorld> = ReturnType<typeof subjectOf<W>>;

let labels = 0;

/** One case in one world: a fresh order per test, and the check that its effect happened once. */
function subjectOf<W extends WebhookWorld>(fixture: WebhookFixture<W>, each: WebhookCase<W>, worldOf: () => W) {
  return {
    service: fixture.service,
    each,
    busyWithoutFastPath: fixture.busyWithoutFastPath === true,
    async start(tag: string) {
      const world = worldOf();
      return { world, orderId: await prepareOrder(fixture, each, world, `${fixture.service}-${tag}-${++labels}`) };
    },
    async expectOnce(world: W, orderId: string) {
      expect(await each.effects(world, orderId)).toBe(1);
      await each.check?.(world, orderId);
    },
  };
}

function redeliveryTests<W extends WebhookWorld>({ service, each, busyWithoutFastPath, start, expectOnce }: Subject<W>): void {
  test.each(modes)("twice in a row, %s mode: processed, then duplicate, one effect", async (mode) => {
    const { world, orderId } = await start(`seq-${mode}`);
    expect(await outcomesOf(await deliver(world.app, service, each.event(orderId), mode))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(world.app, service, each.event(orderId), mode))).toEqual(["duplicate"]);
    await expectOnce(world, orderId);
  });

  test("twice in one batch: processed, then duplicate, one effect", async () => {
    const { world, orderId } = await start("batch");
    const response = await world.app.request(await signedForTest(toBatchRequest(webhookUrl(service), [each.event(orderId), each.event(orderId)])));
    expect(await outcomesOf(response)).toEqual(["processed", "duplicate"]);
    await expectOnce(world, orderId);
  });

  test("without the fast path, twice in a row: the database answers duplicate, one effect", async () => {
    const { world, orderId } = await start("db-seq");
    expect(await answerOf(await deliver(world.withoutFastPath(), service, each.event(orderId)))).toBe("processed");
    expect(await answerOf(await deliver(world.withoutFastPath(), service, each.event(orderId)))).toBe("duplicate");
    await expectOnce(world, orderId);
  });

  test.each([
    ["with the fast path", true],
    ["without the fast path", false],
  ] as const)("three at once %s: one effect, the others duplicate or 503; the retry is a duplicate", async (_name, fastPath) => {
    const { world, orderId } = await start(fastPath ? "concurrent" : "db-concurrent");
    const appFor = () => (fastPath ? world.app : world.withoutFastPath());
    const responses = fastPath
      ? await deliverConcurrently(world.app, service, each.event(orderId), 3)
      : await Promise.all([1, 2, 3].map(() => deliver(appFor(), service, each.event(orderId))));
    await expectRaceAnswers(responses, { busyAllowed: fastPath || busyWithoutFastPath });
    expect(await answerOf(await deliver(appFor(), service, each.event(orderId)))).toBe("duplicate");
    await expectOnce(world, orderId);
  });
}

/** Exactly one delivery processed; the others duplicates or, where allowed, 503 with Retry-After. */
async function expectRaceAnswers(responses: Response[], { busyAllowed }: { busyAllowed: boolean }): Promise<void> {
  const counts = await tally(responses);
  expect(counts).toMatchObject({ processed: 1, other: [] });
  if (!busyAllowed) expect(counts.busy).toBe(0);
  for (const busy of responses.filter((response) => response.status === 503)) {
    expect(busy.headers.get("retry-after")).toBe("1");
    expect((await problemOf(busy)).code).toMatch(/\.in_progress$/);
  }
}

/** Two event ids for one order: the service's own keys and uniqueness rules make one effect. */
function sameOrderTests<W extends WebhookWorld>({ service, each, start, expectOnce }: Subject<W>, answer: NonNullable<WebhookCase<W>["sameOrder"]>): void {
  test(`two event ids for one order, with and without the fast path: the second is ${answer}, one effect`, async () => {
    const { world, orderId } = await start("two-ids");
    expect(await answerOf(await deliver(world.app, service, each.event(orderId, `${orderId}-a`)))).toBe("processed");
    expect(await answerOf(await deliver(world.app, service, each.event(orderId, `${orderId}-b`)))).toBe(answer);
    expect(await answerOf(await deliver(world.withoutFastPath(), service, each.event(orderId, `${orderId}-c`)))).toBe(answer);
    await expectOnce(world, orderId);
  });

  test("two event ids for one order at once, without the fast path: one effect; a retried loser settles", async () => {
    const { world, orderId } = await start("two-ids-concurrent");
    const events = ["a", "b"].map((id) => each.event(orderId, `${orderId}-${id}`));
    const answers = await Promise.all(events.map(async (event) => answerOf(await deliver(world.withoutFastPath(), service, event))));
    expect(answers).toContain("processed");
    for (const got of answers) expect(["processed", "duplicate", answer, 503]).toContain(got);
    for (const [index, got] of answers.entries()) {
      if (typeof got === "number") expect(await answerOf(await deliver(world.withoutFastPath(), service, events[index]!))).toBe(answer);
    }
    await expectOnce(world, orderId);
  });
}
