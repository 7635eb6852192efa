import { describe, expect, test } from "bun:test";
import { type EventType, eventTypes } from "../../../lib/events/index.ts";
import { deciderSpec, eventFor } from "../../../lib/testing/index.ts";
import { draftFor, type Message, notificationDecider, type SendMessage } from "./notification.ts";

const orderId = "o-1";
const spec = deciderSpec(notificationDecider);
const send = (message: Message): SendMessage[] => [{ type: "notification.send", message }];

/** The subject the customer reads for each step (the shop's language). */
const subjects: Record<EventType, string> = {
  "com.example.order.created": "ご注文を受け付けました",
  "com.example.order.cancelled": "ご注文をキャンセルしました",
  "com.example.payment.completed": "お支払いが完了しました",
  "com.example.payment.failed": "お支払いができませんでした",
  "com.example.payment.refunded": "返金しました",
  "com.example.stock.reserved": "商品を確保しました",
  "com.example.stock.insufficient": "在庫が不足しています",
  "com.example.stock.released": "商品の確保を取り消しました",
  "com.example.shipment.created": "発送しました",
};

describe("notification", () => {
  test.each(eventTypes)("%s: one message, keyed by type and order, naming the order", (type) => {
    const event = eventFor(type, orderId);
    const message = { key: `${type}:${orderId}`, orderId, userId: `user-of-${orderId}`, type, subject: subjects[type], body: expect.stringContaining(orderId) };
    spec.given([]).when(event).then(send(message as Message));
  });

  test("the body carries what the customer needs: the amount, the tracking number, the reason", () => {
    expect(draftFor(eventFor("com.example.order.created", orderId)).body).toContain("1000 JPY");
    expect(draftFor(eventFor("com.example.shipment.created", orderId)).body).toContain("123456789012");
    expect(draftFor(eventFor("com.example.order.cancelled", orderId)).body).toContain("payment_failed");
  });

  test("nothing when the message was sent (any delivery of the same type and order)", () => {
    spec.given({ state: { status: "sent" } }).when(eventFor("com.example.payment.completed", orderId)).thenNothing();
    spec.given({ state: { status: "sent" } }).when(eventFor("com.example.payment.completed", orderId, { id: "another-id" })).thenNothing();
  });

  test("a claimed row is sent as it was recorded, not as it would be worded now", () => {
    const recorded = { ...draftFor(eventFor("com.example.shipment.created", orderId)), subject: "s", body: "b" };
    spec.given(send(recorded)).when(eventFor("com.example.shipment.created", orderId)).then(send(recorded));
  });

  test("refused while another delivery holds the send lease (the webhook answers 503)", () => {
    spec.given({ state: { status: "busy" } }).when(eventFor("com.example.stock.reserved", orderId)).thenRejects("notification.in_progress");
  });
});
