import { and, asc, eq, lt, sql } from "drizzle-orm";
import { anyOf, type Executor, lockInKeyOrder, rowsOf, unnestRows } from "../../../lib/db/index.ts";
import type { Reservation, ReservationStatus } from "../domain/state.ts";
import { reservations } from "./schema.ts";

const columns = {
  id: reservations.id,
  orderId: reservations.orderId,
  userId: reservations.userId,
  items: reservations.items,
  status: reservations.status,
  expiresAt: reservations.expiresAt,
};

/**
 * Holds the order until the transaction ends, whether it has a reservation or not: a row that does
 * not exist yet cannot be locked FOR UPDATE, and two payment.completed of one order under different
 * event ids would otherwise both find none and both reserve. The second waits, then finds the first's.
 */
export async function lockOrder(db: Executor, orderId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`inventory:order:${orderId}`}))`);
}

/** The order's reservation, if any; `lock` holds it until the transaction ends. */
export async function findReservation(db: Executor, orderId: string, { lock }: { lock: boolean }): Promise<Reservation | undefined> {
  const query = db.select(columns).from(reservations).where(eq(reservations.orderId, orderId));
  const [row] = lock ? await query.for("update") : await query;
  return row;
}

/**
 * Reservations still held whose `expiresAt` is before `before`, oldest first, locked; SKIP LOCKED
 * lets several inventory processes sweep at once without waiting on each other or taking the same
 * row.
 */
export async function lockReservationsDue(db: Executor, before: Date, limit: number): Promise<Reservation[]> {
  return db
    .select(columns)
    .from(reservations)
    .where(and(eq(reservations.status, "reserved"), lt(reservations.expiresAt, before)))
    .orderBy(asc(reservations.expiresAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

/**
 * lockOrder for several orders, in one statement. Taken in the order of the lock keys (which two
 * orders may share), the same for every transaction that takes more than one, so that two of them
 * queue instead of deadlocking.
 */
export async function lockOrders(db: Executor, orderIds: readonly string[]): Promise<void> {
  await lockInKeyOrder(db, orderIds.map((orderId) => `inventory:order:${orderId}`));
}

/** The reservations of these orders, locked until the transaction ends, in order id order. */
export async function lockReservationsOf(db: Executor, orderIds: readonly string[]): Promise<Reservation[]> {
  if (orderIds.length === 0) return [];
  return db
    .select(columns)
    .from(reservations)
    .where(anyOf(reservations.orderId, [...new Set(orderIds)]))
    .orderBy(asc(reservations.orderId))
    .for("update");
}

/** insertReservation for several, in one statement. */
export async function insertReservations(db: Executor, rows: readonly Reservation[], createdAt: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(reservations).select(unnestRows(reservations, rows.map((reservation) => ({ ...reservation, createdAt }))));
}

/** setReservationStatus for several, in one statement; returns the ids it moved (a missing one does not exist). */
export async function setReservationStatuses(db: Executor, moves: ReadonlyMap<string, ReservationStatus>): Promise<Set<string>> {
  if (moves.size === 0) return new Set();
  const rows = [...moves].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, status]) => sql`(${id}::text, ${status}::text)`);
  const moved = await db.execute(sql`
    update ${reservations} set ${sql.identifier(reservations.status.name)} = move.status
    from (values ${sql.join(rows, sql`, `)}) as move(id, status)
    where ${reservations.id} = move.id
    returning ${reservations.id} as id`);
  return new Set(rowsOf<{ id: string }>(moved).map((row) => row.id));
}
