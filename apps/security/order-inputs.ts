import fc from "fast-check";
import { type AuthFlaw, authFlaw, authorizationFor } from "./forged-tokens.ts";
import { validOrder } from "./genuine.ts";
import { shown } from "./hostile-text.ts";
import { bodyFlaw } from "./order-flaws.ts";
import type { Target } from "./world.ts";

/**
 * A `POST /orders` that must be refused: a flawed body, a flawed token on a valid body, or a valid
 * body sent wrongly (content type, not JSON, too large, a bad Idempotency-Key).
 */
export type OrderInput = {
  kind: string;
  detail: string;
  body: unknown;
  /** Sent as is instead of `body` (not JSON); or `oversize` bytes of a valid-looking order. */
  raw?: string;
  oversize?: number;
  auth?: AuthFlaw;
  /** undefined: application/json; null: no Content-Type header. */
  contentType?: string | null;
  idempotencyKey?: string;
};

const notJson = fc.oneof(
  fc.constantFrom("", " ", "{", "{'currency':'JPY'}", "NaN", "undefined", '{"items":[],}', "[1,2", "\u0000", '{"a":1}garbage'),
  fc.string({ maxLength: 40 }).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }),
);
const wrongContentType = fc.constantFrom<string | null>("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "", null);

export function orderInput(target: Target): fc.Arbitrary<OrderInput> {
  const valid = validOrder(target);
  const sentWrongly: fc.Arbitrary<OrderInput> = fc.oneof(
    wrongContentType.map((contentType) => ({ kind: "a Content-Type other than JSON", detail: shown(contentType), body: valid, contentType })),
    notJson.map((raw) => ({ kind: "a body that is not JSON", detail: shown(raw), body: undefined, raw })),
    fc.constant({ kind: "a number JSON cannot hold", detail: "quantity: 1e999", body: undefined, raw: JSON.stringify(valid).replace('"quantity":1', '"quantity":1e999') }),
    fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 65_536 }).map((oversize) => ({ kind: "a body over 1 MiB", detail: `${oversize} bytes`, body: valid, oversize })),
    fc.oneof(fc.constant(""), fc.integer({ min: 201, max: 1000 }).map((n) => "k".repeat(n))).map((idempotencyKey) => ({
      kind: "an Idempotency-Key that is empty or over 200 characters",
      detail: `${idempotencyKey.length} characters`,
      body: valid,
      idempotencyKey,
    })),
  );
  return fc.oneof(
    { weight: 12, arbitrary: bodyFlaw(target).map((flaw) => ({ ...flaw })) },
    { weight: 4, arbitrary: authFlaw.map((auth) => ({ kind: `token: ${auth.how}`, detail: "header" in auth ? shown(auth.header) : auth.how, body: valid, auth })) },
    { weight: 3, arbitrary: sentWrongly },
  );
}

export async function orderRequest(input: OrderInput, customerToken: string): Promise<Request> {
  const headers = new Headers();
  const authorization = input.auth ? await authorizationFor(input.auth) : `Bearer ${customerToken}`;
  if (authorization !== undefined) headers.set("authorization", authorization);
  if (input.contentType !== null) headers.set("content-type", input.contentType ?? "application/json");
  if (input.idempotencyKey !== undefined) headers.set("idempotency-key", input.idempotencyKey);
  return new Request("http://localhost/orders", { method: "POST", headers, body: bodyOf(input) });
}

function bodyOf(input: OrderInput): string {
  if (input.raw !== undefined) return input.raw;
  if (input.oversize === undefined) return JSON.stringify(input.body);
  const order = input.body as ReturnType<typeof validOrder> | undefined;
  const padded = { ...order, shippingAddress: { ...order?.shippingAddress, line1: "x".repeat(input.oversize) } };
  return JSON.stringify(padded);
}
