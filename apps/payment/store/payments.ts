import { and, eq } from "drizzle-orm";
import type { Executor } from "../../../lib/db/types.ts";
import { payments, type PaymentStatus } from "./schema.ts";

export type PaymentRow = typeof payments.$inferSelect;

/** Inserts the payment intent unless the order has one; returns the order's payment either way. */
export async function upsertPaymentIntent(db: Executor, row: typeof payments.$inferInsert): Promise<PaymentRow> {
  await db.insert(payments).values(row).onConflictDoNothing({ target: payments.orderId });
  return (await findPayment(db, row.orderId))!;
}

export async function findPayment(db: Executor, orderId: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.orderId, orderId));
  return row;
}

/** Moves a payment from one status to the next; false when another delivery already did. */
export async function transition(
  db: Executor,
  orderId: string,
  from: PaymentStatus,
  change: Partial<PaymentRow> & { status: PaymentStatus },
): Promise<boolean> {
  const moved = await db
    .update(payments)
    .set(change)
    .where(and(eq(payments.orderId, orderId), eq(payments.status, from)))
    .returning({ id: payments.id });
  return moved.length === 1;
}
