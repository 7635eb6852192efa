import { AppError } from "../../../lib/errors/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import type { InventoryEvent } from "../domain/events.ts";
import type { Line, Reservation, ReservationStatus } from "../domain/state.ts";
import { insertReservations, setReservationStatuses } from "./reservations.ts";
import { applyStockChanges, type StockChange } from "./stock.ts";

/**
 * Writes what the decider decided, in the caller's transaction: one event's or a whole batch's, in
 * at most one statement per kind of write (stock, new reservations, status moves), however many
 * events. Each stock write keeps its rule, re-checked in SQL as if the writes ran one after another
 * (see planStockWrites); one that does not hold although the decision said it would throws, so the
 * whole transaction (claims included) rolls back and the delivery is retried against fresh state.
 */
export async function writeEvents(db: Executor, events: readonly InventoryEvent[], now: Date): Promise<void> {
  const plan = planWrites(events);
  const changed = await applyStockChanges(db, plan.stock);
  const refused = plan.stock.find((change) => !changed.has(change.productId));
  if (refused) {
    const doing = plan.doing.get(refused.productId);
    throw new AppError("inventory.stock_changed", `${doing}: the stock of ${refused.productId} does not allow it, although the decision said so`);
  }
  await insertReservations(db, plan.inserts, now);
  const moved = await setReservationStatuses(db, plan.moves);
  const missing = [...plan.moves.keys()].find((id) => !moved.has(id));
  if (missing) throw new AppError("inventory.reservation_missing", `${missing} was decided on but does not exist`);
}

/** The writes a list of events makes, gathered by table. */
export type WritePlan = {
  stock: StockChange[];
  /** For the error: what the first write of each product was doing. */
  doing: Map<string, string>;
  inserts: Reservation[];
  /** Each reservation's last status. */
  moves: Map<string, ReservationStatus>;
};

export function planWrites(events: readonly InventoryEvent[]): WritePlan {
  const steps: StockStep[] = [];
  const inserts: Reservation[] = [];
  const moves = new Map<string, ReservationStatus>();
  const each = (lines: readonly Line[], kind: StepKind, doing: string) => steps.push(...lines.map(({ productId, quantity }) => ({ productId, quantity, kind, doing })));
  for (const event of events) {
    switch (event.type) {
      case "com.example.stock.reserved": {
        const { reservationId, orderId, userId, items, expiresAt } = event.data;
        each(items, "holdFree", `reserving for order ${orderId}`);
        inserts.push({ id: reservationId, orderId, userId, items, status: "reserved", expiresAt: new Date(expiresAt) });
        break;
      }
      case "com.example.stock.insufficient":
        break;
      case "com.example.stock.expired":
        moves.set(event.data.reservationId, "expiring");
        break;
      case "com.example.stock.released":
        each(event.data.items, "releaseHeld", `releasing ${event.data.reservationId}`);
        moves.set(event.data.reservationId, "expired");
        break;
      case "inventory.shipment.committed":
        each(event.fromReserved, "shipHeld", `shipping ${event.reservationId}`);
        each(event.fromFree, "shipFree", `shipping ${event.reservationId} from free stock`);
        moves.set(event.reservationId, event.status);
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  return { ...planStockWrites(steps), inserts, moves };
}

/**
 * The four stock writes: each moves the counters and has a rule on the row as it finds it.
 * holdFree: free (available − reserved) ≥ q, reserved + q. releaseHeld: reserved ≥ q, reserved − q.
 * shipHeld: reserved ≥ q, both − q. shipFree: free ≥ q, available − q.
 */
export type StepKind = "holdFree" | "releaseHeld" | "shipHeld" | "shipFree";
export type StockStep = { productId: string; quantity: number; kind: StepKind; doing: string };

/**
 * Several writes of one product, folded into one UPDATE that is exactly as strict as running them
 * in turn. Write i finds the row moved by the deltas before it (A before i, R before i), so its
 * rule on the starting row (a, r) is: free ≥ q − (A − R) for a free rule, r ≥ q − R for a reserved
 * one. All of them hold iff the starting row reaches the largest of each. Every rule holding keeps
 * 0 ≤ reserved ≤ available at each step (the table's check), so the end row satisfies it too.
 */
export function planStockWrites(steps: readonly StockStep[]): Pick<WritePlan, "stock" | "doing"> {
  const byProduct = new Map<string, StockChange>();
  const doing = new Map<string, string>();
  for (const step of steps) {
    const change = byProduct.get(step.productId) ?? { productId: step.productId, availableDelta: 0, reservedDelta: 0 };
    byProduct.set(step.productId, change);
    if (!doing.has(step.productId)) doing.set(step.productId, step.doing);
    const q = step.quantity;
    if (step.kind === "holdFree" || step.kind === "shipFree") change.minFree = Math.max(change.minFree ?? -Infinity, q - (change.availableDelta - change.reservedDelta));
    else change.minReserved = Math.max(change.minReserved ?? -Infinity, q - change.reservedDelta);
    if (step.kind === "holdFree") change.reservedDelta += q;
    if (step.kind === "releaseHeld" || step.kind === "shipHeld") change.reservedDelta -= q;
    if (step.kind === "shipHeld" || step.kind === "shipFree") change.availableDelta -= q;
  }
  return { stock: [...byProduct.values()], doing };
}
