import postgres from "postgres";

/** Counts read straight from a scenario's database: what the flow has done so far. */
export type Counts = {
  orders: number;
  open: number;
  outcomes: Record<string, number>;
  unpublished: number;
  outboxRows: number;
  charges: number;
  refunds: number;
  reservations: number;
  shipments: number;
  notifications: number;
  /** Payments waiting on the gateway (charging, refunding): payment's reconciler moves them later, on a timer. */
  pendingPayments: number;
};

export function createStateProbe(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {}, connect_timeout: 5, idle_timeout: 5 });
  let outboxSchemas: string[] | undefined;

  async function schemas(): Promise<string[]> {
    outboxSchemas ??= (await sql`select table_schema from information_schema.tables where table_name = 'outbox' order by 1`).map((r) => r.table_schema as string);
    return outboxSchemas;
  }

  async function counts(): Promise<Counts> {
    const outcomes: Record<string, number> = {};
    const byOutcome = await sql`select status, coalesce(reason, '') as reason, count(*)::int as n from orders.orders group by 1, 2`;
    for (const row of byOutcome) outcomes[row.reason ? `${row.status} (${row.reason})` : row.status] = row.n;
    let unpublished = 0;
    let outboxRows = 0;
    for (const schema of await schemas()) {
      const [row] = await sql`select count(*) filter (where published_at is null)::int as u, count(*)::int as n from ${sql(schema)}.outbox`;
      unpublished += row!.u;
      outboxRows += row!.n;
    }
    const one = async (query: Promise<postgres.RowList<postgres.Row[]>>) => ((await query)[0]!.n as number) ?? 0;
    return {
      orders: Object.values(outcomes).reduce((a, b) => a + b, 0),
      // The auditor's "accepted orders terminal": shipped, cancelled, or handed to a person.
      open: await one(sql`select count(*)::int as n from orders.orders where status not in ('shipped', 'cancelled', 'needs_attention')`),
      outcomes,
      unpublished,
      outboxRows,
      charges: await one(sql`select count(*)::int as n from gateway.charges`),
      refunds: await one(sql`select count(*)::int as n from gateway.refunds`),
      reservations: await one(sql`select count(*)::int as n from inventory.reservations`),
      shipments: await one(sql`select count(*)::int as n from shipping.shipments`),
      notifications: await one(sql`select count(*)::int as n from notifications.notifications`),
      pendingPayments: await one(sql`select count(*)::int as n from payments.payments where status in ('charging', 'refunding')`),
    };
  }

  /** Orders not yet shipped, cancelled or needs_attention: one cheap query, to time a fault mid-flow. */
  async function openOrders(): Promise<number> {
    const [row] = await sql`select count(*)::int as n from orders.orders where status not in ('shipped', 'cancelled', 'needs_attention')`;
    return row!.n as number;
  }

  /**
   * How long orders took from their acceptance to their end (shipped or cancelled), by the order
   * service's own clock: what a fault cost the orders it caught mid-flow shows in the tail.
   */
  async function timesToEnd(): Promise<{ orders: number; p50: number; p99: number; max: number }> {
    const [row] = await sql`
      select count(*)::int as orders,
        coalesce(percentile_cont(0.5) within group (order by seconds), 0)::float8 as p50,
        coalesce(percentile_cont(0.99) within group (order by seconds), 0)::float8 as p99,
        coalesce(max(seconds), 0)::float8 as max
      from (select extract(epoch from updated_at - created_at) as seconds from orders.orders where status in ('shipped', 'cancelled')) as ended`;
    return row as unknown as { orders: number; p50: number; p99: number; max: number };
  }

  return { sql, counts, openOrders, timesToEnd, close: () => sql.end({ timeout: 5 }) };
}

export type StateProbe = ReturnType<typeof createStateProbe>;
