import { sql } from "drizzle-orm";
import { type Database, rowsOf } from "../../lib/db/index.ts";
import type { EffectTimes } from "./types.ts";

type Time = Date | string | null;
type Row = { order_id: string; paid: Time; reserved: Time; shipped: Time; notified: Time; created_out: Time; paid_out: Time; reserved_out: Time; shipped_out: Time };

const ms = (value: Date | string | null) => (value === null ? undefined : new Date(value).getTime());

/**
 * When each step of every order took effect, read from the effect itself, in the service that
 * made it: the payment marked completed (payment), the reservation written (inventory), the
 * shipment written (shipping), the shipment's message sent (notification). Each timestamp is the
 * writing service's clock at its decision, the same clock as the load generator's (one machine).
 * Between them, when the relay marked each step's event published in its service's outbox.
 */
export async function readEffects(database: Database): Promise<Map<string, EffectTimes>> {
  const result = await database.db.execute(sql`
    select o.id as order_id, p.updated_at as paid, r.created_at as reserved, s.created_at as shipped, n.sent_at as notified,
      oo.published_at as created_out, po.published_at as paid_out, io.published_at as reserved_out, so.published_at as shipped_out
    from orders.orders o
    left join payments.payments p on p.order_id = o.id and p.status = 'completed'
    left join inventory.reservations r on r.order_id = o.id
    left join shipping.shipments s on s.order_id = o.id
    left join notifications.notifications n on n.order_id = o.id and n.type = 'com.example.shipment.created' and n.status = 'sent'
    left join orders.outbox oo on oo.key = o.id and oo.event->>'type' = 'com.example.order.created'
    left join payments.outbox po on po.key = o.id and po.event->>'type' = 'com.example.payment.completed'
    left join inventory.outbox io on io.key = o.id and io.event->>'type' = 'com.example.stock.reserved'
    left join shipping.outbox so on so.key = o.id and so.event->>'type' = 'com.example.shipment.created'`);
  return new Map(
    rowsOf<Row>(result).map((row) => [
      row.order_id,
      {
        orderId: row.order_id,
        paid: ms(row.paid),
        reserved: ms(row.reserved),
        shipped: ms(row.shipped),
        notified: ms(row.notified),
        published: { created: ms(row.created_out), paid: ms(row.paid_out), reserved: ms(row.reserved_out), shipped: ms(row.shipped_out) },
      },
    ]),
  );
}
