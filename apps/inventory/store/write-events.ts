import { AppError } from "../../../lib/errors/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import type { InventoryEvent } from "../domain/events.ts";
import type { Line, ReservationStatus } from "../domain/state.ts";
import { insertReservation, setReservationStatus } from "./reservations.ts";
import { holdFree, releaseHeld, shipFree, shipHeld } from "./stock.ts";

type StockWrite = (db: Executor, productId: string, quantity: number) => Promise<boolean>;

/**
 * Writes what the decider decided, in the caller's transaction. Each stock update re-checks its
 * rule in SQL; one that does not hold although the decision said it would throws, so the whole
 * transaction (claim included) rolls back and the delivery is retried against fresh state.
 */
export async function writeEvents(db: Executor, events: readonly InventoryEvent[], now: Date): Promise<void> {
  for (const event of events) await writeEvent(db, event, now);
}

async function writeEvent(db: Executor, event: InventoryEvent, now: Date): Promise<void> {
  switch (event.type) {
    case "com.example.stock.reserved": {
      const { reservationId, orderId, userId, items, expiresAt } = event.data;
      await eachLine(db, items, holdFree, `reserving for order ${orderId}`);
      await insertReservation(db, { id: reservationId, orderId, userId, items, status: "reserved", expiresAt: new Date(expiresAt) }, now);
      return;
    }
    case "com.example.stock.insufficient":
      return;
    case "com.example.stock.expired":
      await moveReservation(db, event.data.reservationId, "expiring");
      return;
    case "com.example.stock.released":
      await eachLine(db, event.data.items, releaseHeld, `releasing ${event.data.reservationId}`);
      await moveReservation(db, event.data.reservationId, "expired");
      return;
    case "inventory.shipment.committed":
      await eachLine(db, event.fromReserved, shipHeld, `shipping ${event.reservationId}`);
      await eachLine(db, event.fromFree, shipFree, `shipping ${event.reservationId} from free stock`);
      await moveReservation(db, event.reservationId, event.status);
      return;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

async function moveReservation(db: Executor, reservationId: string, status: ReservationStatus): Promise<void> {
  if (await setReservationStatus(db, reservationId, status)) return;
  throw new AppError("inventory.reservation_missing", `${reservationId} was decided on but does not exist`);
}

async function eachLine(db: Executor, lines: readonly Line[], write: StockWrite, doing: string): Promise<void> {
  for (const { productId, quantity } of lines) {
    if (await write(db, productId, quantity)) continue;
    throw new AppError("inventory.stock_changed", `${doing}: the stock of ${productId} does not allow ${quantity} units, although the decision said so`);
  }
}
