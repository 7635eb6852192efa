import { describe, expect, test } from "bun:test";
import type { Notification, Notifier } from "./types.ts";

/**
 * What the notification service relies on from a notifier: a send resolves once the message is
 * handed over, `readBack` (the adapter's own record: a log, an outbox, a provider's API) shows it,
 * and a key already delivered is not delivered again, also by a new instance (after a crash).
 */
export function notifierContract(label: string, open: () => Promise<{ notifier: Notifier; reopen(): Promise<Notifier>; readBack(): Promise<Notification[]> }>) {
  describe(`notifier contract: ${label}`, () => {
    const message = (key: string): Notification => ({
      idempotencyKey: key,
      userId: "u-1",
      orderId: "o-1",
      type: "com.example.order.created",
      subject: "ご注文を受け付けました",
      body: "注文 o-1 を受け付けました。",
    });

    test("a sent message is delivered with its key, subject and body", async () => {
      const { notifier, readBack } = await open();
      expect(await notifier.send(message("k-1"))).toBe("delivered");
      expect(await readBack()).toEqual([message("k-1")]);
    });

    test("messages keep their order", async () => {
      const { notifier, readBack } = await open();
      for (const key of ["a", "b", "c"]) await notifier.send(message(key));
      expect((await readBack()).map((m) => m.idempotencyKey)).toEqual(["a", "b", "c"]);
    });

    test("a key already delivered is not delivered again, even after a restart", async () => {
      const { notifier, reopen, readBack } = await open();
      await notifier.send(message("once"));
      expect(await notifier.send(message("once"))).toBe("duplicate");
      expect(await (await reopen()).send(message("once"))).toBe("duplicate");
      expect((await readBack()).map((m) => m.idempotencyKey)).toEqual(["once"]);
    });
  });
}
