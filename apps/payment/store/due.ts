import { and, asc, inArray, lte } from "drizzle-orm";
import { anyOf, type Db } from "../../../lib/db/index.ts";
import type { PaymentState } from "../domain/types.ts";
import { type PaymentRow, stateOf } from "./payments.ts";
import { payments } from "./schema.ts";

/** A payment the reconciler took: its state, the claim its writes rest on, and what caused the step. */
export type DuePayment = { state: PaymentState; fence: Date; causeId: string | null };

/**
 * Takes up to `limit` payments waiting on the gateway (charging, refunding) whose time has come,
 * oldest first, by moving their `next_attempt_at` to `leaseUntil`: several reconcilers (one per
 * payment process) skip each other's rows (SKIP LOCKED) and never take the same one, and a
 * delivery that takes a row meanwhile moves it again, which voids this claim (the fence).
 */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<DuePayment[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(inArray(payments.status, ["charging", "refunding"]), lte(payments.nextAttemptAt, now)))
      .orderBy(asc(payments.nextAttemptAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    const taken: PaymentRow[] = await tx
      .update(payments)
      .set({ nextAttemptAt: leaseUntil })
      .where(anyOf(payments.id, due.map((row) => row.id)))
      .returning();
    return taken.map((row) => ({ state: stateOf(row), fence: leaseUntil, causeId: row.causeId }));
  });
}
