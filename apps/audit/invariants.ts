import type { AuditState } from "./audit-state.ts";
import type { Breach, InvariantName } from "./breach.ts";
import { noDuplicateNotification, oneShipment, outboxesDrained } from "./delivery-invariants.ts";
import { chargedMinusRefunded, neverShippedAndRefunded } from "./money-invariants.ts";
import { acceptedOrdersTerminal, legalTransitions } from "./order-invariants.ts";
import { oneActiveReservation, stockConserved } from "./stock-invariants.ts";

/** Each invariant, pure over the state the auditor read: a Record, so none can be named and left out. */
export const invariants: Record<InvariantName, (state: AuditState) => Breach[]> = {
  "accepted-orders-terminal": acceptedOrdersTerminal,
  "charged-minus-refunded": chargedMinusRefunded,
  "never-shipped-and-refunded": neverShippedAndRefunded,
  "one-active-reservation": oneActiveReservation,
  "stock-conserved": stockConserved,
  "one-shipment": oneShipment,
  "no-duplicate-notification": noDuplicateNotification,
  "outboxes-drained": outboxesDrained,
  "legal-transitions": legalTransitions,
};
