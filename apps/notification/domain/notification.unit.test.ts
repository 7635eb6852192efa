import { describe, expect, test } from "bun:test";
import { deciderSpec, eventFor } from "../../../lib/testing/index.ts";
import { draftFor, type Message, type NotificationEvent, notificationDecider } from "./notification.ts";
import { type NotifiedType, notifiedTypes, stageOf } from "./stages.ts";

const orderId = "o-1";
const spec = deciderSpec(notificationDecider);
const send = (message: Message): NotificationEvent[] => [{ type: "notification.send", message }];
const skip = (message: Message): NotificationEvent[] => [{ type: "notification.skip", message }];
const story = (storyStage: number) => ({ state: { status: "none", storyStage } }) as const;

/** The subject the customer reads for each step (the shop's language). */
const subjects: Record<NotifiedType, string> = {
  "com.example.order.created": "ご注文を受け付けました",
  "com.example.order.cancelled": "ご注文をキャンセルしました",
  "com.example.payment.completed": "お支払いが完了しました",
  "com.example.payment.failed": "お支払いができませんでした",
  "com.example.payment.refunded": "返金しました",
  "com.example.payment.escalated": "ご注文を確認しています",
  "com.example.stock.reserved": "商品を確保しました",
  "com.example.stock.insufficient": "在庫が不足しています",
  "com.example.stock.released": "商品の確保を取り消しました",
  "com.example.shipment.created": "発送しました",
};

describe("notification", () => {
  test.each(notifiedTypes)("%s: one message, keyed by type and order, naming the order", (type) => {
    const event = eventFor(type, orderId);
    const message = { key: `${type}:${orderId}`, orderId, userId: `user-of-${orderId}`, type, stage: stageOf[type], subject: subjects[type], body: expect.stringContaining(orderId) };
    spec.given([]).when(event).then(send(message as Message));
  });

  test("the body carries what the customer needs: the amount, the tracking number, the reason", () => {
    expect(draftFor(eventFor("com.example.order.created", orderId)).body).toContain("1000 JPY");
    expect(draftFor(eventFor("com.example.shipment.created", orderId)).body).toContain("123456789012");
    expect(draftFor(eventFor("com.example.order.cancelled", orderId)).body).toContain("payment_failed");
  });

  test("nothing when the message was sent or skipped (any delivery of the same type and order)", () => {
    spec.given({ state: { status: "sent" } }).when(eventFor("com.example.payment.completed", orderId)).thenNothing();
    spec.given({ state: { status: "sent" } }).when(eventFor("com.example.payment.completed", orderId, { id: "another-id" })).thenNothing();
    spec.given({ state: { status: "skipped" } }).when(eventFor("com.example.payment.completed", orderId)).thenNothing();
  });

  test("a claimed row is sent as it was recorded, not as it would be worded now", () => {
    const recorded = { ...draftFor(eventFor("com.example.shipment.created", orderId)), subject: "s", body: "b" };
    spec.given(send(recorded)).when(eventFor("com.example.shipment.created", orderId)).then(send(recorded));
  });

  test("refused while another delivery holds the send lease (the webhook answers 503)", () => {
    spec.given({ state: { status: "busy" } }).when(eventFor("com.example.stock.reserved", orderId)).thenRejects("notification.in_progress");
  });
});

describe("customer messages never go backwards in the order's story", () => {
  const paid = eventFor("com.example.payment.completed", orderId);

  test("'payment completed' after 'shipped' (a redrive, a late topic) is skipped, recorded, not sent", () => {
    spec.given(story(stageOf["com.example.shipment.created"])).when(paid).then(skip(draftFor(paid)));
    spec.given(story(stageOf["com.example.shipment.created"])).when(paid).thenState({ status: "skipped" });
  });

  test("the next step, or another of the same stage, is sent", () => {
    spec.given(story(stageOf["com.example.order.created"])).when(paid).then(send(draftFor(paid)));
    spec.given(story(stageOf["com.example.payment.completed"])).when(paid).then(send(draftFor(paid)));
  });

  test("every story the flow tells goes up, stage by stage", () => {
    const stories: NotifiedType[][] = [
      ["com.example.order.created", "com.example.payment.completed", "com.example.stock.reserved", "com.example.shipment.created"],
      ["com.example.order.created", "com.example.payment.failed", "com.example.order.cancelled"],
      ["com.example.order.created", "com.example.payment.completed", "com.example.stock.insufficient", "com.example.payment.refunded", "com.example.order.cancelled"],
      ["com.example.order.created", "com.example.payment.completed", "com.example.stock.reserved", "com.example.stock.released", "com.example.payment.refunded", "com.example.order.cancelled"],
      ["com.example.order.created", "com.example.payment.escalated"],
      ["com.example.order.created", "com.example.payment.completed", "com.example.stock.insufficient", "com.example.payment.escalated"],
    ];
    for (const steps of stories) {
      const stages = steps.map((type) => stageOf[type]);
      expect(stages).toEqual([...stages].sort((a, b) => a - b));
      for (let i = 1; i < steps.length; i++) expect(stages[i]!).toBeGreaterThan(stages[i - 1]!);
    }
  });
});
