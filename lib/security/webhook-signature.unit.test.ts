import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { hasCode } from "../errors/index.ts";
import { createWebhookSigner, createWebhookVerifier, generateWebhookSecret, NativeHmacWebhook, parseWebhookSecrets, signRequest } from "./webhook-signature.ts";

const [current, next] = [generateWebhookSecret(), generateWebhookSecret()];
const body = '{"specversion":"1.0","id":"e-1"}';
const verifyFails = (verify: () => void) => {
  try {
    verify();
  } catch (error) {
    return hasCode(error, "webhook.unauthenticated");
  }
  return false;
};

describe("Standard Webhooks signatures", () => {
  test("a push signed with the secret verifies", () => {
    const headers = new Headers(createWebhookSigner([current])("batch-1", body));
    expect(() => createWebhookVerifier([current])(headers, body)).not.toThrow();
  });

  test("unsigned, wrongly signed, tampered or stale pushes are refused with webhook.unauthenticated", () => {
    const verify = createWebhookVerifier([current]);
    const signed = createWebhookSigner([current])("batch-1", body);
    expect(verifyFails(() => verify(new Headers(), body))).toBe(true);
    expect(verifyFails(() => verify(new Headers(createWebhookSigner([next])("batch-1", body)), body))).toBe(true);
    expect(verifyFails(() => verify(new Headers(signed), body.replace("e-1", "e-2")))).toBe(true);
    expect(verifyFails(() => verify(new Headers({ ...signed, "webhook-id": "batch-2" }), body))).toBe(true);
    const stale = createWebhookSigner([current])("batch-1", body, new Date(Date.now() - 6 * 60_000));
    expect(verifyFails(() => verify(new Headers(stale), body))).toBe(true);
  });

  test("a signed request carries its body, verifiable, and the body's length in bytes", async () => {
    const text = '{"specversion":"1.0","id":"e-1","data":{"city":"Zürich 東京"}}';
    const unsigned = new Request("http://localhost/events", { method: "POST", headers: { "content-type": "application/json" }, body: text });
    const signed = await signRequest(unsigned, createWebhookSigner([current]), "batch-1");
    expect(signed.headers.get("content-length")).toBe(String(new TextEncoder().encode(text).length));
    expect(signed.headers.get("content-type")).toBe("application/json");
    const received = await signed.text();
    expect(received).toBe(text);
    expect(() => createWebhookVerifier([current])(signed.headers, received)).not.toThrow();
  });

  test("rotation: a receiver with both secrets accepts either sender", () => {
    const verify = createWebhookVerifier(parseWebhookSecrets(`${next} ${current}`));
    expect(() => verify(new Headers(createWebhookSigner([current])("b", body)), body)).not.toThrow();
    expect(() => verify(new Headers(createWebhookSigner([next])("b", body)), body)).not.toThrow();
  });

  test("the native HMAC signs exactly as the standardwebhooks package: any id, time and body, either way round", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 64 }), fc.string(), fc.date({ noInvalidDate: true }), fc.string({ unit: "binary" }), (key, id, at, payload) => {
        const secret = `whsec_${Buffer.from(key).toString("base64")}`;
        const native = new NativeHmacWebhook(secret);
        const reference = new Webhook(secret);
        expect(native.sign(id, at, payload)).toBe(reference.sign(id, at, payload));
        expect(native.sign(id, at, Buffer.from(payload))).toBe(reference.sign(id, at, Buffer.from(payload)));
      }),
    );
    // Headers made by the package verify here, and ours verify with the package.
    const id = "msg_1";
    const now = new Date();
    const fromPackage = { "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": new Webhook(current).sign(id, now, body) };
    expect(() => createWebhookVerifier([current])(new Headers(fromPackage), body)).not.toThrow();
    expect(() => new Webhook(current).verify(body, createWebhookSigner([current])(id, body), { jsonParse: false })).not.toThrow();
  });

  test("secrets must be whsec_ base64, and at least one is required", () => {
    expect(() => parseWebhookSecrets("")).toThrow("not set");
    expect(() => parseWebhookSecrets("hunter2")).toThrow("whsec_");
    expect(parseWebhookSecrets(` ${current}  ${next} `)).toEqual([current, next]);
  });
});
