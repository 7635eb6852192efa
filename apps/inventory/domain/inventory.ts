import { type Decider, isRejection, type Rejection } from "../../../lib/domain/index.ts";
import { type CommitShipment, commitShipment } from "./commit-shipment.ts";
import type { InventoryEvent } from "./events.ts";
import { evolve } from "./evolve.ts";
import { type ExpireReservation, expireReservation } from "./expire.ts";
import { type ReleaseRefused, releaseRefused } from "./release.ts";
import { type ReserveStock, reserveStock } from "./reserve.ts";
import { type InventoryState, inventoryOf } from "./state.ts";

export type InventoryInput = ReserveStock | CommitShipment | ExpireReservation | ReleaseRefused;

/** Inventory's rules: reserve for paid orders without overselling, ship, ask shipping to settle what ran out of time, and give back what it refused. */
export const inventory: Decider<InventoryState, InventoryInput, InventoryEvent> = {
  decide(input, state) {
    switch (input.type) {
      case "reserve-stock":
        return reserveStock(input, state);
      case "commit-shipment":
        return commitShipment(input, state);
      case "expire-reservation":
        return expireReservation(input, state);
      case "release-refused":
        return releaseRefused(input, state);
      default: {
        const unreachable: never = input;
        return unreachable;
      }
    }
  },
  evolve,
  initialState: () => inventoryOf(),
};

export type Decided = { events: InventoryEvent[]; rejections: Rejection[]; state: InventoryState };

/**
 * Decides inputs in turn, each against the state the ones before it left: one input for one
 * event, or every input of a batch against the state loaded for the whole batch.
 */
export function decideInTurn(inputs: readonly InventoryInput[], state: InventoryState): Decided {
  const decided: Decided = { events: [], rejections: [], state };
  for (const input of inputs) {
    const decision = inventory.decide(input, decided.state);
    if (isRejection(decision)) {
      decided.rejections.push(decision);
      continue;
    }
    decided.events.push(...decision);
    decided.state = decision.reduce(inventory.evolve, decided.state);
  }
  return decided;
}
