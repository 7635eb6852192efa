/** The invariants the auditor checks, by the name each breach carries, in the order it reports them. */
export const invariantNames = [
  "accepted-orders-terminal",
  "charged-minus-refunded",
  "never-shipped-and-refunded",
  "one-active-reservation",
  "stock-conserved",
  "one-shipment",
  "no-duplicate-notification",
  "outboxes-drained",
  "legal-transitions",
] as const;

export type InvariantName = (typeof invariantNames)[number];

/** One invariant broken for one thing: an order, a product, a notification key or an outbox. */
export type Breach = { invariant: InvariantName; subject: string; found: string; expected: string };

/** A breach of `invariant` about `subject`; the helper each invariant file binds to its name. */
export const breachOf =
  (invariant: InvariantName) =>
  (subject: string, found: string, expected: string): Breach => ({ invariant, subject, found, expected });
