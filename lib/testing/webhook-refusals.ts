import { beforeAll, expect, test } from "bun:test";
import { eventFor, problemFields, rejectionCases } from "./events.ts";
import { prepareOrder, type WebhookFixture, type WebhookWorld } from "./webhook-fixture.ts";
import { signedForTest } from "./security.ts";

/**
 * The webhook's refusals (rejectionCases): 400, 415 and 422 naming the failing field, and nothing
 * applied, not even the valid event of a refused batch.
 */
export function refusalTests<W extends WebhookWorld>(fixture: WebhookFixture<W>, worldOf: () => W): void {
  const { service, refusals } = fixture;
  const casesFor = (orderId: string) => {
    const valid = refusals.valid.event(orderId);
    // A service that follows every type can only be sent one outside the catalogue (a case of its own).
    const unhandled = refusals.unhandled ? eventFor(refusals.unhandled, orderId) : { ...valid, type: "com.example.order.shipped" };
    return rejectionCases(service, { valid, unhandled, invalid: refusals.invalid(`${orderId}-2`), invalidField: refusals.invalidField });
  };
  let orderId = "";
  beforeAll(async () => {
    orderId = await prepareOrder(fixture, refusals.valid, worldOf(), `${service}-refused`);
  }, 60_000);

  test.each(casesFor("refused").map((each, index) => ({ ...each, index })))("$name → $status, nothing applied", async ({ index }) => {
    const { request, status, field } = casesFor(orderId)[index]!;
    const fields = await problemFields(await worldOf().app.request(await signedForTest(request())), status);
    if (field) expect(fields).toContain(field);
    expect(await refusals.valid.effects(worldOf(), orderId)).toBe(0);
  });
}
