import type fc from "fast-check";
import { testSigner } from "../../lib/testing/index.ts";
import { eventInput } from "./event-inputs.ts";
import { forge, forgedInput } from "./forged-inputs.ts";
import { orderInput, orderRequest } from "./order-inputs.ts";
import { requestOf, signedPush } from "./raw-push.ts";
import { type Delivered, deliveredEvents, replayInput, replayPool, replayRequests } from "./replays.ts";
import type { Control } from "./genuine.ts";
import { validBaseline } from "./baseline.ts";
import { target, type World } from "./world.ts";

/** One property: what it sends, what every answer must be, and how to send one generated input. */
export type Check<T = unknown> = {
  id: string;
  title: string;
  sends: string;
  expects: string;
  arbitrary: fc.Arbitrary<T>;
  kindOf(input: T): string;
  describe(input: T): string;
  send(input: T): Promise<Response[]>;
  /** Whether one answer is the refusal expected; an input whose answers all are, and that changed nothing, did not get through. */
  refused(response: Response): boolean;
};

const isProblem = (response: Response) => (response.headers.get("content-type") ?? "").startsWith("application/problem+json");
const problem4xx = (response: Response) => response.status >= 400 && response.status < 500 && isProblem(response);

/** Forgets the input type of a check, so that checks of different inputs share one list. */
const defineCheck = <T>(check: Check<T>) => check as unknown as Check;

/** The four checks against `world`, and what was verified for them first. */
export async function securityChecks(world: World): Promise<{ checks: Check[]; controls: Control[] }> {
  const delivered = await deliveredEvents(world.flow.database.db, world.probe.tables);
  const controls: Control[] = [
    { what: "the honest orders left genuine deliveries to replay", ok: delivered.length > 0, detail: `${delivered.length} deliveries` },
    ...(await validBaseline(target, world.genuineOrders)),
  ];
  const checks = [malformedOrders(world), malformedEvents(world), forgedPushes(world), ...(delivered.length ? [replayedPushes(world, delivered)] : [])];
  return { checks, controls };
}

const malformedOrders = (world: World) =>
  defineCheck({
    id: "malformed-orders",
    title: "Malformed orders",
    sends: "`POST /orders` on the public listener: a valid order with one flaw (a required field missing, a wrong type, a number beyond its cap, negative, fractional or not finite, hostile text — lone surrogates, C0/C1 controls, bidi controls, over-long — an unknown currency, more than 100 lines, an unknown product, a price other than the catalogue's, a total beyond the cap), or sent wrongly (not JSON, another Content-Type, over 1 MiB, a bad Idempotency-Key), or a valid order with no token or a forged, expired or tampered one",
    expects: "4xx `application/problem+json`",
    arbitrary: orderInput(target),
    kindOf: (input) => input.kind,
    describe: (input) => input.detail,
    send: async (input) => [await world.callPublic(await orderRequest(input, world.tokens.customer))],
    refused: problem4xx,
  });

const malformedEvents = (world: World) =>
  defineCheck({
    id: "malformed-events",
    title: "Malformed CloudEvents, correctly signed",
    sends: "`POST /events/{service}` on the internal listener, signed with the right secret: binary, structured and batch pushes (a flawed event among 0–3 valid ones) with a broken envelope, a type the service does not handle, a `source` other than the type's producer, `data` failing its schema (missing, wrong type, out of range, hostile text, unknown currency, no or over 100 lines), more than 500 events, a batch that is not a list of events, an unsupported content type or charset, a body that is not JSON or not UTF-8, undecodable headers, over 1 MiB, another path or method",
    expects: "4xx `application/problem+json`",
    arbitrary: eventInput,
    kindOf: (input) => input.kind,
    describe: (input) => `${input.service}, ${input.mode}: ${input.detail}`,
    send: async (input) => [await world.callInternal(requestOf(signedPush(input.push, testSigner, `msg_${crypto.randomUUID()}`)))],
    refused: problem4xx,
  });

const forgedPushes = (world: World) =>
  defineCheck({
    id: "forged-pushes",
    title: "Forged pushes",
    sends: "the issue's attacks as valid-looking events (payment.completed for an order never placed, order.created at a price of 0, shipment.created with the sender's link, payment.failed/refunded for a genuine order, stock.reserved for an order never placed, a body that is not JSON) in binary, structured and batch mode: unsigned, a signature header missing, signed with another secret, a signature that is not one or under another version, the body, webhook-id or webhook-timestamp changed after signing, another body's signature, stale (over 5 minutes old) or future-dated",
    expects: "401 `application/problem+json`",
    arbitrary: forgedInput(target, world.genuineOrders),
    kindOf: (input) => input.kind,
    describe: (input) => input.detail,
    send: async (input) => [await world.callInternal(requestOf(forge(input.push, input.flaw)))],
    refused: (response) => response.status === 401 && isProblem(response),
  });

function replayedPushes(world: World, delivered: Delivered[]) {
  const pool = replayPool(delivered);
  return defineCheck({
    id: "replayed-pushes",
    title: "Replayed pushes",
    sends: `genuine pushes (the ${delivered.length} deliveries the honest orders caused: each event, and each order's events together, to each subscriber), correctly signed: exact copies (one, or 2–4 at once), redeliveries (same webhook-id, signed again), the same events under a new webhook-id or in another content mode, exact copies with another Content-Type`,
    expects: "no state change, no 5xx (a redelivery is answered 200 `duplicate` by design; a relabelled copy 4xx)",
    arbitrary: replayInput(delivered.length),
    kindOf: (input) => input.style,
    describe: (input) => `delivery ${input.index}: ${delivered[input.index]!.service} ← ${delivered[input.index]!.events.map((e) => String(e.type).replace("com.example.", "")).join(", ")}`,
    async send(input) {
      const original = await pool.original(input.index, world.callInternal);
      return Promise.all(replayRequests(input, delivered[input.index]!, original).map(world.callInternal));
    },
    refused: (response) => response.status < 500,
  });
}
