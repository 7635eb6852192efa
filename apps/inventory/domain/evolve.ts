import type { InventoryEvent } from "./events.ts";
import type { InventoryState, Line, ReservationStatus, Stock } from "./state.ts";

/**
 * The state after an event. Stock that was not loaded stays unknown: a handler that did not load
 * a product does not need its counters for the decisions that follow.
 */
export function evolve(state: InventoryState, event: InventoryEvent): InventoryState {
  switch (event.type) {
    case "com.example.stock.reserved": {
      const { reservationId, orderId, userId, items, expiresAt } = event.data;
      const reservation = { id: reservationId, orderId, userId, items, status: "reserved" as const, expiresAt: new Date(expiresAt) };
      return {
        products: adjust(state.products, items, (stock, quantity) => ({ ...stock, reserved: stock.reserved + quantity })),
        reservations: new Map(state.reservations).set(orderId, reservation),
      };
    }
    case "com.example.stock.insufficient":
      return state;
    case "com.example.stock.expired":
      return { products: state.products, reservations: withStatus(state, event.data.orderId, "expiring") };
    case "com.example.stock.released":
      return {
        products: adjust(state.products, event.data.items, (stock, quantity) => ({ ...stock, reserved: stock.reserved - quantity })),
        reservations: withStatus(state, event.data.orderId, "expired"),
      };
    case "inventory.shipment.committed": {
      const shipped = adjust(state.products, event.fromReserved, (stock, q) => ({ ...stock, available: stock.available - q, reserved: stock.reserved - q }));
      return {
        products: adjust(shipped, event.fromFree, (stock, quantity) => ({ ...stock, available: stock.available - quantity })),
        reservations: withStatus(state, event.orderId, event.status),
      };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function adjust(products: InventoryState["products"], lines: readonly Line[], change: (stock: Stock, quantity: number) => Stock) {
  const next = new Map(products);
  for (const { productId, quantity } of lines) {
    const stock = next.get(productId);
    if (stock) next.set(productId, change(stock, quantity));
  }
  return next;
}

function withStatus(state: InventoryState, orderId: string, status: ReservationStatus) {
  const reservation = state.reservations.get(orderId);
  return reservation ? new Map(state.reservations).set(orderId, { ...reservation, status }) : state.reservations;
}
