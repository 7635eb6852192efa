import fc from "fast-check";
import { createWebhookSigner, type WebhookSigner } from "../../lib/security/index.ts";
import { testSigner } from "../../lib/testing/index.ts";
import { type Attack, attack } from "./forgeries.ts";
import { batchPush, binaryPush, type Mode, modes, type RawPush, signedPush, structuredPush } from "./raw-push.ts";
import type { Target } from "./world.ts";

/** How a push fails Standard Webhooks: each must be answered 401 and change nothing. */
export type SignatureFlaw =
  | { how: "unsigned" }
  | { how: "a signature header missing"; missing: "webhook-id" | "webhook-timestamp" | "webhook-signature" }
  | { how: "signed with another secret"; secret: string }
  | { how: "a signature that is not one"; signature: string }
  | { how: "the right signature under another version"; version: string }
  | { how: "the body changed after signing"; change: "space appended" | "re-indented" | "a digit changed" }
  | { how: "webhook-id changed after signing"; id: string }
  | { how: "webhook-timestamp changed after signing"; bySeconds: number }
  | { how: "stale (older than 5 minutes)"; ageSeconds: number }
  | { how: "future-dated (more than 5 minutes ahead)"; aheadSeconds: number }
  | { how: "the signature of another body" };

export type ForgedInput = { kind: string; detail: string; service: string; mode: Mode; flaw: SignatureFlaw; push: RawPush };

const seconds = (min: number, max: number) => fc.integer({ min, max });
// Clear of the 5-minute window's edge, so a slow machine cannot make a forgery valid or a valid push stale.
const beyondWindow = seconds(330, 10 * 365 * 24 * 3600);

export const signatureFlaw: fc.Arbitrary<SignatureFlaw> = fc.oneof(
  fc.constant({ how: "unsigned" as const }),
  fc.constantFrom("webhook-id", "webhook-timestamp", "webhook-signature").map((missing) => ({ how: "a signature header missing" as const, missing })),
  fc.uint8Array({ minLength: 24, maxLength: 32 }).map((bytes) => ({ how: "signed with another secret" as const, secret: `whsec_${Buffer.from(bytes).toString("base64")}` })),
  fc.oneof(fc.constantFrom("", "v1,", "v1", ",", "v1,AAAA", "v1,=="), fc.base64String({ minLength: 4, maxLength: 60 }).map((sig) => `v1,${sig}`)).map((signature) => ({ how: "a signature that is not one" as const, signature })),
  fc.constantFrom("v2", "v1a", "V1", "", "v0").map((version) => ({ how: "the right signature under another version" as const, version })),
  fc.constantFrom("space appended", "re-indented", "a digit changed").map((change) => ({ how: "the body changed after signing" as const, change })),
  fc.uuid().map((id) => ({ how: "webhook-id changed after signing" as const, id: `msg_${id}` })),
  fc.oneof(seconds(-299, -1), seconds(1, 299)).map((bySeconds) => ({ how: "webhook-timestamp changed after signing" as const, bySeconds })),
  beyondWindow.map((ageSeconds) => ({ how: "stale (older than 5 minutes)" as const, ageSeconds })),
  beyondWindow.map((aheadSeconds) => ({ how: "future-dated (more than 5 minutes ahead)" as const, aheadSeconds })),
  fc.constant({ how: "the signature of another body" as const }),
);

function pushFor(attack: Attack, mode: Mode): RawPush {
  const [event] = attack.events;
  if (!event) return { ...structuredPush(attack.service, {}), body: new TextEncoder().encode("{not json") };
  if (mode === "binary") return binaryPush(attack.service, event);
  return mode === "structured" ? structuredPush(attack.service, event) : batchPush(attack.service, attack.events);
}

export function forgedInput(target: Target, genuineOrders: readonly string[]): fc.Arbitrary<ForgedInput> {
  return fc.tuple(attack(target, genuineOrders), fc.constantFrom(...modes), signatureFlaw).map(([attack, mode, flaw]) => ({
    kind: flaw.how,
    detail: `${attack.name}, ${mode}`,
    service: attack.service,
    mode,
    flaw,
    push: pushFor(attack, mode),
  }));
}

const text = (push: RawPush) => new TextDecoder().decode(push.body);
const bytes = (value: string) => new TextEncoder().encode(value);

/** The push as the attacker sends it: signed (or not) the way `flaw` says. Signing happens now: timestamps are relative to now. */
export function forge(push: RawPush, flaw: SignatureFlaw, now = new Date()): RawPush {
  const id = `msg_forged_${crypto.randomUUID()}`;
  const sign = (signer: WebhookSigner = testSigner, at = now) => signedPush(push, signer, id, at);
  const setHeader = (signed: RawPush, name: string, value: string) => ({ ...signed, headers: { ...signed.headers, [name]: value } });
  switch (flaw.how) {
    case "unsigned":
      return push;
    case "a signature header missing": {
      const { [flaw.missing]: _, ...headers } = sign().headers;
      return { ...push, headers };
    }
    case "signed with another secret":
      return sign(createWebhookSigner([flaw.secret]));
    case "a signature that is not one":
      return setHeader(sign(), "webhook-signature", flaw.signature);
    case "the right signature under another version": {
      const signed = sign();
      return setHeader(signed, "webhook-signature", signed.headers["webhook-signature"]!.replace(/^v1/, flaw.version));
    }
    case "the body changed after signing":
      return { ...sign(), body: bytes(changed(text(push), flaw.change)) };
    case "webhook-id changed after signing":
      return setHeader(sign(), "webhook-id", flaw.id);
    case "webhook-timestamp changed after signing": {
      const signed = sign();
      return setHeader(signed, "webhook-timestamp", String(Number(signed.headers["webhook-timestamp"]) + flaw.bySeconds));
    }
    case "stale (older than 5 minutes)":
      return sign(testSigner, new Date(now.getTime() - flaw.ageSeconds * 1000));
    case "future-dated (more than 5 minutes ahead)":
      return sign(testSigner, new Date(now.getTime() + flaw.aheadSeconds * 1000));
    case "the signature of another body": {
      const other = signedPush({ ...push, body: bytes(`${text(push)} `) }, testSigner, id, now);
      return setHeader(sign(), "webhook-signature", other.headers["webhook-signature"]!);
    }
    default:
      return flaw satisfies never;
  }
}

function changed(body: string, change: "space appended" | "re-indented" | "a digit changed"): string {
  if (change === "space appended") return `${body} `;
  if (change === "a digit changed") return /\d/.test(body) ? body.replace(/\d/, (digit) => String((Number(digit) + 1) % 10)) : `${body}0`;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return `${body}\n`;
  }
}
