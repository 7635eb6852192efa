/**
 * The notifier port: sends one message to a customer. A notification reaches the customer once
 * only if the provider drops a message whose `idempotencyKey` it has already delivered (as card
 * processors do for charges): the sender may crash after the provider accepted a message and
 * before recording that, and then sends it again. Every adapter must honour the key; the contract
 * suite checks it.
 * Adapters: `recording.ts` (records what it sends); e-mail or webhook providers later.
 */
export type Notification = {
  idempotencyKey: string;
  userId: string;
  orderId: string;
  type: string;
  subject: string;
  body: string;
};

/** "delivered": the customer gets it; "duplicate": the key was delivered before, nothing sent. */
export type SendResult = "delivered" | "duplicate";

export type Notifier = { send(notification: Notification): Promise<SendResult> };
