// Idempotency keys for postOrder: stored in the database so a retry on another dyno or after a restart is answered.
import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { AppError } from '../errors.js'
import { deleteInBatches } from './batched-delete.js'
import type { Database } from './tables.js'
import type { TransactionScope } from './write-transactions.js'

export const IDEMPOTENCY_RETENTION_HOURS = 24

export function hashRequest(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex')
}

/**
 * Claims `key` inside the caller's transaction. Returns undefined when the key is new (the caller goes on and
 * saves its answer with `writes.saveAnswer` before committing), or the stored answer of the first request with this key.
 * On PostgreSQL a concurrent claim of the same key waits here until the first transaction ends.
 */
export async function claimKey<T>(
  { writes }: Pick<TransactionScope, 'writes'>,
  key: string,
  requestHash: string,
): Promise<T | undefined> {
  if (await writes.claimKey({ key, requestHash, now: new Date().toISOString() })) return undefined
  const stored = await writes.findKey(key)
  // Removed by the retention purge since the claim was refused (24 h after it was made): the key is free again.
  if (!stored) return claimKey({ writes }, key, requestHash)
  if (stored.request_hash !== requestHash || stored.response_body === null) {
    throw new AppError(
      422,
      'IDEMPOTENCY_CONFLICT',
      'This Idempotency-Key was already used with a different request body; use a new key for a new order.',
    )
  }
  return JSON.parse(stored.response_body) as T
}

export async function purgeExpiredKeys(db: Kysely<Database>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_HOURS * 3600_000).toISOString()
  return deleteInBatches(async (limit) => {
    const result = await db
      .deleteFrom('idempotency_keys')
      .where('key', 'in', (eb) =>
        eb.selectFrom('idempotency_keys').select('key').where('created_at', '<', cutoff).limit(limit),
      )
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  })
}
