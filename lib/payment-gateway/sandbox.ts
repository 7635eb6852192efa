import { eq, sum } from "drizzle-orm";
import { createGroupCommit, type Settled } from "../batching/index.ts";
import type { Clock, Ids } from "../clock/index.ts";
import { type Db, unnestRows } from "../db/index.ts";
import { AppError } from "../errors/index.ts";
import { type SandboxFaults, withFaults } from "./sandbox-faults.ts";
import { gatewayCharges, gatewayRefunds } from "./sandbox-schema.ts";
import { type Charge, type ChargeRequest, GatewayErrorCode, type PaymentGateway, type Refund, testTokens } from "./types.ts";

type ChargeRow = typeof gatewayCharges.$inferSelect;

/**
 * A card processor stand-in with a durable ledger. It behaves like the real thing at the edges the
 * flow must survive: `tok_declined` is declined; `tok_timeout` is charged and then answers with a
 * timeout (the charge happened; a retry with the same key must find it, not charge again);
 * `tok_lost_answer` answers every charge call with a timeout after charging (only `lookup` tells);
 * an idempotency key reused with other parameters is refused. With `faults`, calls also fail as
 * over a real network (sandbox-faults.ts).
 */
export function createSandboxGateway(deps: { db: Db; clock: Clock; ids: Ids; faults?: SandboxFaults }): PaymentGateway {
  const { db, clock, ids } = deps;

  /** The ledger's row for each request: one insert for them all; a key already used keeps its first charge. */
  async function recordCharges(requests: ChargeRequest[]): Promise<Array<{ row: ChargeRow; inserted: boolean }>> {
    const rows = requests.map((request) => {
      const declined = request.token === testTokens.declined;
      return {
        id: `ch_${ids.next()}`,
        idempotencyKey: request.idempotencyKey,
        orderId: request.orderId,
        amount: request.amount,
        currency: request.currency,
        method: request.method,
        status: declined ? ("declined" as const) : ("succeeded" as const),
        declineCode: declined ? "card_declined" : null,
        transactionId: declined ? null : `txn_${ids.next()}`,
        createdAt: clock.now(),
      };
    });
    const inserted = new Map((await db.insert(gatewayCharges).select(unnestRows(gatewayCharges, rows)).onConflictDoNothing({ target: gatewayCharges.idempotencyKey }).returning()).map((row) => [row.id, row]));
    return Promise.all(
      rows.map(async (row) => {
        const mine = inserted.get(row.id);
        return mine ? { row: mine, inserted: true } : { row: (await findCharge(row.idempotencyKey))!, inserted: false };
      }),
    );
  }

  /** The processor's answer to one request, given its ledger row. */
  function answerOf(request: ChargeRequest, { row, inserted }: { row: ChargeRow; inserted: boolean }): Charge {
    if ((inserted && request.token === testTokens.timeout) || request.token === testTokens.lostAnswer) throw timeout();
    if (row.orderId !== request.orderId || row.amount !== request.amount || row.currency !== request.currency) {
      throw new AppError(GatewayErrorCode.idempotencyMismatch, `idempotency key ${request.idempotencyKey} was used for another charge`, { status: 422 });
    }
    return chargeOf(row);
  }

  // Charges asked for while earlier ones are being written share one insert (lib/batching, no
  // timer), as a processor takes many calls at once: one write per charge made the stand-in a
  // large share of the flow's commits. Each charge is answered as if it had been alone.
  const charges = createGroupCommit<ChargeRequest, Charge>({
    maxBatch: 100,
    concurrency: 2,
    runOne: async (request) => answerOf(request, (await recordCharges([request]))[0]!),
    runBatch: async (requests) => {
      const recorded = await recordCharges(requests);
      return requests.map((request, i): Settled<Charge> => {
        try {
          return { ok: true, value: answerOf(request, recorded[i]!) };
        } catch (error) {
          return { ok: false, error };
        }
      });
    },
  });
  const charge = (request: ChargeRequest) => charges.submit(request);

  async function refund(request: { idempotencyKey: string; chargeId: string; amount: number }): Promise<Refund> {
    return db.transaction(async (tx) => {
      // Lock the charge FIRST: concurrent refunds of one charge queue here, and the key check below
      // then sees a refund that a concurrent call committed meanwhile.
      const [chargeRow] = await tx.select().from(gatewayCharges).where(eq(gatewayCharges.id, request.chargeId)).for("update");
      const [existing] = await tx.select().from(gatewayRefunds).where(eq(gatewayRefunds.idempotencyKey, request.idempotencyKey));
      if (existing) return { refundId: existing.id, chargeId: existing.chargeId, amount: existing.amount };
      if (!chargeRow || chargeRow.status !== "succeeded") {
        throw new AppError(GatewayErrorCode.unknownCharge, `no succeeded charge ${request.chargeId}`, { status: 404 });
      }
      const [refunded] = await tx.select({ total: sum(gatewayRefunds.amount) }).from(gatewayRefunds).where(eq(gatewayRefunds.chargeId, request.chargeId));
      if (Number(refunded?.total ?? 0) + request.amount > chargeRow.amount) {
        throw new AppError(GatewayErrorCode.refundExceedsCharge, `refund of ${request.amount} exceeds what is left of ${request.chargeId}`, { status: 422 });
      }
      const row = { id: `re_${ids.next()}`, idempotencyKey: request.idempotencyKey, chargeId: request.chargeId, amount: request.amount, createdAt: clock.now() };
      await tx.insert(gatewayRefunds).values(row);
      return { refundId: row.id, chargeId: row.chargeId, amount: row.amount };
    });
  }

  async function lookup(idempotencyKey: string): Promise<Charge | undefined> {
    const row = await findCharge(idempotencyKey);
    return row && chargeOf(row);
  }

  async function findCharge(idempotencyKey: string): Promise<ChargeRow | undefined> {
    const [row] = await db.select().from(gatewayCharges).where(eq(gatewayCharges.idempotencyKey, idempotencyKey));
    return row;
  }

  const gateway = { charge, refund, lookup };
  return deps.faults ? withFaults(gateway, deps.faults) : gateway;
}

function chargeOf(row: ChargeRow): Charge {
  return {
    chargeId: row.id,
    orderId: row.orderId,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    ...(row.declineCode ? { declineCode: row.declineCode } : {}),
    ...(row.transactionId ? { transactionId: row.transactionId } : {}),
  };
}

function timeout(): AppError {
  return new AppError(GatewayErrorCode.timeout, "sandbox: the processor did not answer in time", { status: 504, retryable: true });
}
