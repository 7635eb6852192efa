import { and, eq, getTableColumns, type SQLWrapper, sql } from "drizzle-orm";
import { type Executor, unnestRows } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { ChargeRequested, PaymentCompleted, PaymentEscalated, PaymentFailed, PaymentState } from "../domain/types.ts";
import { payments } from "./schema.ts";

export type PaymentRow = typeof payments.$inferSelect;

/** The order's payment as the decider sees it; `none` when the order has none yet. */
export async function loadPayment(db: Executor, orderId: string): Promise<PaymentState> {
  const [row] = await db.select().from(payments).where(eq(payments.orderId, orderId));
  return stateOf(row);
}

/** Whose order it is, as payment learnt from order.created: the gateway's ledger answers only them (and staff). */
export async function customerOfOrder(db: Executor, orderId: string): Promise<string | undefined> {
  const [row] = await db.select({ userId: payments.userId }).from(payments).where(eq(payments.orderId, orderId));
  return row?.userId;
}

/**
 * Takes the charge for this delivery: writes the intent with its gateway key unless the order has
 * a payment (unique order_id: the truth against double charges), or, when one is still charging,
 * moves its `next_attempt_at` on so that the reconciler keeps off while this delivery asks the
 * gateway. Returns the payment as stored: when another delivery wrote first, its intent is the
 * one to charge; when it was settled meanwhile, there is nothing to charge.
 */
export async function recordIntent(db: Executor, { intent, at }: ChargeRequested, step: { causeId: string; nextAttemptAt: Date }): Promise<PaymentState> {
  const { paymentId, fulfilment, ...columns } = intent;
  const [inserted] = await db
    .insert(payments)
    .values({ ...columns, id: paymentId, fulfilment, status: "charging", ...step, createdAt: at, updatedAt: at })
    // Any conflict, not only on order_id: the gateway key pay-{orderId} is unique too, and a
    // concurrent insert that meets it there would raise instead (only the target is an arbiter).
    .onConflictDoNothing()
    .returning();
  if (inserted) return stateOf(inserted);
  const [taken] = await db
    .update(payments)
    .set({
      // Always later than before, even within the same millisecond as a reconciler's claim, so
      // that the claim's fence no longer holds.
      nextAttemptAt: sql`greatest(${step.nextAttemptAt.toISOString()}::timestamptz, ${payments.nextAttemptAt} + interval '1 millisecond')`,
      fulfilment: sql`coalesce(${payments.fulfilment}, ${JSON.stringify(fulfilment)}::jsonb)`,
      updatedAt: at,
    })
    .where(and(eq(payments.orderId, intent.orderId), eq(payments.status, "charging")))
    .returning();
  return taken ? stateOf(taken) : loadPayment(db, intent.orderId);
}

/** One charge request of a batch, with what its delivery writes beside the intent (as recordIntent's `step`). */
export type IntentStep = { requested: ChargeRequested; causeId: string };

/**
 * recordIntent for many orders (at most one request each), in one transaction of one or two
 * statements: the new intents in one insert (any conflict skipped, as there), then the orders
 * that had a payment already take the ones still charging, in one update (their key moved on,
 * their fulfilment kept, as there). Returns the payments this batch is to charge, by order: an
 * order missing from it has a settled payment, nothing to charge. The caller passes its transaction.
 */
export async function recordIntents(tx: Executor, steps: readonly IntentStep[], nextAttemptAt: Date): Promise<Map<string, Charging>> {
  const charging = new Map<string, Charging>();
  if (steps.length === 0) return charging;
  const orderIds = steps.map(({ requested }) => requested.intent.orderId);
  if (new Set(orderIds).size !== orderIds.length) throw new AppError("payment.intent_twice", "recordIntents takes at most one charge request per order");
  // By order id: two batches inserting the same orders wait on each other's keys in one order, never in a cycle.
  const rows = [...steps].sort(byOrderId).map(({ requested: { intent, at }, causeId }) => {
    const { paymentId, fulfilment, ...columns } = intent;
    return { ...columns, id: paymentId, fulfilment, status: "charging" as const, causeId, nextAttemptAt, createdAt: at, updatedAt: at };
  });
  const inserted = await tx.insert(payments).select(unnestRows(payments, rows)).onConflictDoNothing().returning();
  for (const row of inserted) charging.set(row.orderId, chargingOf(row));
  const taken = steps.filter(({ requested }) => !charging.has(requested.intent.orderId));
  if (taken.length === 0) return charging;
  // A VALUES list has no column types of its own: typed casts.
  const given = [...taken].sort(byOrderId).map(({ requested: { intent, at } }) => sql`(${intent.orderId}::text, ${JSON.stringify(intent.fulfilment)}::jsonb, ${at.toISOString()}::timestamptz)`);
  const updated = await tx
    .update(payments)
    .set({
      // As recordIntent: always later than before, so that a reconciler's claim no longer holds.
      nextAttemptAt: sql`greatest(${nextAttemptAt.toISOString()}::timestamptz, ${payments.nextAttemptAt} + interval '1 millisecond')`,
      fulfilment: sql`coalesce(${payments.fulfilment}, given.fulfilment)`,
      updatedAt: sql`given.at`,
    })
    .from(sql`(values ${sql.join(given, sql`, `)}) as given(order_id, fulfilment, at)`)
    .where(and(sql`${payments.orderId} = given.order_id`, eq(payments.status, "charging")))
    .returning(getTableColumns(payments));
  for (const row of updated) charging.set(row.orderId, chargingOf(row));
  return charging;
}

type Charging = Extract<PaymentState, { status: "charging" }>;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byOrderId = (a: IntentStep, b: IntentStep) => compare(a.requested.intent.orderId, b.requested.intent.orderId);

function chargingOf(row: PaymentRow): Charging {
  const state = stateOf(row);
  if (state.status !== "charging") throw new AppError("payment.not_charging", `payment ${row.id} was recorded as ${row.status}, not charging`);
  return state;
}

/** A charge's answer as decided for one order: what saveDecided writes for it. */
export type ChargeSettled = { orderId: string; event: PaymentCompleted | PaymentFailed | PaymentEscalated };

/**
 * saveDecided for the answers of many charges (at most one per order), in one statement (update
 * ... from values), each under saveDecided's guard: a payment moves only from the state its event
 * follows (charging; an escalation also from refunding). Returns the orders whose payment moved:
 * only their deliveries claim and emit, as with saveDecided.
 */
export async function settleCharges(tx: Executor, settled: readonly ChargeSettled[]): Promise<Set<string>> {
  if (settled.length === 0) return new Set();
  const orderIds = settled.map(({ orderId }) => orderId);
  if (new Set(orderIds).size !== orderIds.length) throw new AppError("payment.settled_twice", "settleCharges takes at most one answer per order");
  const given = [...settled].sort((a, b) => compare(a.orderId, b.orderId)).map(({ orderId, event }) => {
    const change = changeOf(event);
    return sql`(${orderId}::text, ${change.status}::text, ${change.chargeId}::text, ${change.transactionId}::text, ${change.declineCode}::text,
      ${change.attentionReason}::text, ${change.lastError}::text, ${event.at.toISOString()}::timestamptz)`;
  });
  const escalating = sql`given.status = 'needs_attention'`;
  // An escalation writes its reason and keeps what the charge columns held; the others write theirs and keep the reason.
  const keptWhenEscalating = (column: SQLWrapper, name: string) =>
    sql`case when ${escalating} then ${column} else ${sql.raw(`given.${name}`)} end`;
  const moved = await tx
    .update(payments)
    .set({
      status: sql`given.status`,
      chargeId: keptWhenEscalating(payments.chargeId, "charge_id"),
      transactionId: keptWhenEscalating(payments.transactionId, "transaction_id"),
      declineCode: keptWhenEscalating(payments.declineCode, "decline_code"),
      attentionReason: sql`case when ${escalating} then given.attention_reason else ${payments.attentionReason} end`,
      lastError: sql`given.last_error`,
      nextAttemptAt: null,
      updatedAt: sql`given.at`,
    })
    .from(sql`(values ${sql.join(given, sql`, `)}) as given(order_id, status, charge_id, transaction_id, decline_code, attention_reason, last_error, at)`)
    .where(and(sql`${payments.orderId} = given.order_id`, sql`(${payments.status} = 'charging' or (${escalating} and ${payments.status} = 'refunding'))`))
    .returning({ orderId: payments.orderId });
  return new Set(moved.map(({ orderId }) => orderId));
}

type SettledChange = Pick<PaymentRow, "status" | "chargeId" | "transactionId" | "declineCode" | "attentionReason" | "lastError">;

/** The columns saveDecided writes for each answer (transitions.ts), as one row of the VALUES list. */
function changeOf(event: ChargeSettled["event"]): SettledChange {
  switch (event.type) {
    case "com.example.payment.completed":
      return { status: "completed", chargeId: event.chargeId, transactionId: event.data.transactionId, declineCode: null, attentionReason: null, lastError: null };
    case "com.example.payment.failed":
      return { status: "failed", chargeId: event.chargeId, transactionId: event.transactionId, declineCode: event.declineCode, attentionReason: null, lastError: null };
    case "com.example.payment.escalated":
      return { status: "needs_attention", chargeId: null, transactionId: null, declineCode: null, attentionReason: event.data.reason, lastError: event.data.detail };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export function stateOf(row: PaymentRow | undefined): PaymentState {
  if (!row) return { status: "none" };
  const { id: paymentId, orderId, userId, idempotencyKey, amount, currency, method, fulfilment } = row;
  const intent = { paymentId, orderId, userId, idempotencyKey, amount, currency, method, fulfilment };
  switch (row.status) {
    case "charging":
      return { status: "charging", intent, lookups: row.attempts };
    case "failed":
    case "refunded":
      return { status: row.status, intent };
    case "completed":
      // Only the move to completed writes the status, and it writes the charge id with it.
      return { status: "completed", intent, chargeId: required(row, row.chargeId, "charge id") };
    case "refunding": {
      const refund = { idempotencyKey: required(row, row.refundKey, "refund key"), reason: required(row, row.refundReason, "refund reason"), attempts: row.attempts };
      return { status: "refunding", intent, chargeId: required(row, row.chargeId, "charge id"), refund };
    }
    case "needs_attention":
      return { status: "needs_attention", intent, reason: required(row, row.attentionReason, "reason") };
    default: {
      const unreachable: never = row.status;
      return unreachable;
    }
  }
}

/** Each move writes what its status needs with it; a row without it was written around the store. */
function required<T>(row: PaymentRow, value: T | null, what: string): T {
  if (value === null) throw new AppError("payment.row_incomplete", `payment ${row.id} is ${row.status} without its ${what}`);
  return value;
}
