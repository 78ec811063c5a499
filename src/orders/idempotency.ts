// Idempotency keys of postOrder, from the claim of a key to the stored answer (the route reads the header:
// idempotency-header.ts). Keys live in the database, so a retry on another dyno or after a restart gets the first
// answer again.
import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { deleteOlderThan } from '../db/delete-older-than.js'
import type { Tables } from '../db/tables.js'
import { IdempotencyConflict } from '../errors.js'
import type { Order } from './schemas.js'

export const IDEMPOTENCY_RETENTION_HOURS = 24

export const hashRequest = (request: unknown) => createHash('sha256').update(JSON.stringify(request)).digest('hex')

/**
 * Claims `key` for a request inside its transaction: undefined when the key is new (the caller then saves its answer
 * with saveAnswer before committing), or the stored answer of the first request with this key. A concurrent claim
 * of the same key waits on the first transaction (PostgreSQL's unique index; SQLite's single writer).
 */
export async function claimKey(trx: Kysely<Tables>, key: string, requestHash: string): Promise<Order | undefined> {
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({ key, request_hash: requestHash, created_at: new Date().toISOString() })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .executeTakeFirst()
  if (Number(claimed.numInsertedOrUpdatedRows) === 1) return undefined
  const stored = await trx.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst()
  // Removed by the retention purge since the claim was refused (24 h after it was made): the key is free again.
  if (!stored) return claimKey(trx, key, requestHash)
  if (stored.request_hash !== requestHash || stored.response_body === null) throw new IdempotencyConflict()
  return JSON.parse(stored.response_body) as Order
}

/** The answer a retry with the same key gets again. */
export async function saveAnswer(trx: Kysely<Tables>, key: string, order: Order): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ response_body: JSON.stringify(order) })
    .where('key', '=', key)
    .execute()
}

export function purgeExpiredKeys(db: Kysely<Tables>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_HOURS * 3600_000).toISOString()
  return deleteOlderThan(db, { table: 'idempotency_keys', key: 'key', time: 'created_at', cutoff })
}
