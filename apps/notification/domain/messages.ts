import type { NotifiedEvent } from "./stages.ts";

/** What the customer reads for each event (Japanese, the shop's language). */
export function messageFor(event: NotifiedEvent): { subject: string; body: string } {
  const id = event.data.orderId;
  switch (event.type) {
    case "com.example.order.created":
      return { subject: "ご注文を受け付けました", body: `注文 ${id}(合計 ${event.data.totalAmount} ${event.data.currency})を受け付けました。` };
    case "com.example.payment.completed":
      return { subject: "お支払いが完了しました", body: `注文 ${id} のお支払い(${event.data.amount} ${event.data.currency})が完了しました。` };
    case "com.example.payment.failed":
      return { subject: "お支払いができませんでした", body: `注文 ${id} のお支払いができませんでした(${event.data.code})。` };
    case "com.example.payment.refunded":
      return { subject: "返金しました", body: `注文 ${id} の代金 ${event.data.amount} ${event.data.currency} を返金しました。` };
    case "com.example.payment.escalated":
      return { subject: "ご注文を確認しています", body: `注文 ${id} の手続きを担当者が確認しています。確認が済みしだいお知らせします。` };
    case "com.example.stock.reserved":
      return { subject: "商品を確保しました", body: `注文 ${id} の商品を確保しました。まもなく発送します。` };
    case "com.example.stock.insufficient":
      return { subject: "在庫が不足しています", body: `注文 ${id} の商品の在庫が不足しています。返金の手続きをします。` };
    case "com.example.stock.released":
      return { subject: "商品の確保を取り消しました", body: `注文 ${id} の商品の確保が期限切れになりました。返金の手続きをします。` };
    case "com.example.shipment.created":
      return { subject: "発送しました", body: `注文 ${id} を ${event.data.carrier} で発送しました(追跡番号 ${event.data.trackingNumber})。` };
    case "com.example.order.cancelled":
      return { subject: "ご注文をキャンセルしました", body: `注文 ${id} をキャンセルしました(理由: ${event.data.reason})。` };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
