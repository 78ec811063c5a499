// What one org still lacks of the stock-event outbox, for the admin's figures: how many of its events wait, and since
// when. /healthz counts the outbox as a whole (repository.ts).
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'

/** Counted this far and no further, as the outbox's own count for /healthz. */
const PENDING_PRODUCTS_COUNTED_UP_TO = 10_000

/**
 * What one org still lacks: the products with a change it has not accepted (at most PENDING_PRODUCTS_COUNTED_UP_TO),
 * and since when the oldest such change has waited.
 */
export async function pendingFor(db: Kysely<Tables>, orgKey: string) {
  const lacking = db
    .selectFrom('stock_events as head')
    .leftJoin('stock_deliveries as d', (join) =>
      join.on('d.org_key', '=', orgKey).onRef('d.product_id', '=', 'head.product_id'),
    )
    .where('head.sent_at', 'is', null)
    .where('head.superseded_at', 'is', null)
    .where((eb) => eb.or([eb('d.delivered_id', 'is', null), eb('d.delivered_id', '<', eb.ref('head.id'))]))
  const counted = await db
    .selectFrom(lacking.select('head.product_id').distinct().limit(PENDING_PRODUCTS_COUNTED_UP_TO).as('lacking'))
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirst()
  const oldest = await db
    .selectFrom('stock_events as e')
    .leftJoin('stock_deliveries as d', (join) =>
      join.on('d.org_key', '=', orgKey).onRef('d.product_id', '=', 'e.product_id'),
    )
    .select((eb) => eb.fn.min('e.created_at').as('since'))
    .where('e.sent_at', 'is', null)
    .where((eb) => eb.or([eb('d.delivered_id', 'is', null), eb('e.id', '>', eb.ref('d.delivered_id'))]))
    .executeTakeFirst()
  const since = oldest?.since as string | Date | null | undefined
  return { count: Number(counted?.count ?? 0), oldestSince: since ? new Date(since) : undefined }
}
