import type { Db } from "../../lib/db/index.ts";
import { type AuditState, loadAuditState } from "./audit-state.ts";
import { type Breach, type InvariantName, invariantNames } from "./breach.ts";
import { invariants } from "./invariants.ts";
import { readNotificationLog } from "./notification-log.ts";

export type AuditOptions = {
  /** The recording notifier's log (DATA_DIR/notifications.jsonl); without it, the notification rows only. */
  notificationsFile?: string;
};

export type AuditResult = {
  checked: { invariants: readonly InvariantName[]; orders: number; products: number; notificationLog: boolean };
  breaches: Breach[];
};

/**
 * Checks every invariant of the flow over the whole state (docs/architecture.md#saga-and-compensation),
 * meant for a flow at rest: while events are still moving, an order on its way is no breach yet.
 * The rows are read in one read-only, repeatable-read transaction, so that every invariant sees the
 * same moment even while something still writes.
 */
export async function runAudit(database: { db: Db }, options: AuditOptions = {}): Promise<AuditResult> {
  const rows = await database.db.transaction((tx) => loadAuditState(tx), { isolationLevel: "repeatable read", accessMode: "read only" });
  const state: AuditState = options.notificationsFile ? { ...rows, notificationLog: readNotificationLog(options.notificationsFile) } : rows;
  return {
    checked: { invariants: invariantNames, orders: state.orders.length, products: state.products.length, notificationLog: state.notificationLog !== undefined },
    breaches: invariantNames.flatMap((name) => invariants[name](state)),
  };
}
