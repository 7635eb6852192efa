/**
 * The notifier port: sends one message to a customer. `idempotencyKey` is passed on so that a
 * provider which honours keys drops a resend after a crash between send and record.
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

export type Notifier = { send(notification: Notification): Promise<void> };
