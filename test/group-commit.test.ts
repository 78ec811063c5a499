// SQLite group commit: writes submitted together share one transaction, yet each succeeds or fails on its own,
// and none is acknowledged unless the shared commit succeeds.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { type Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../src/db/connect.js'
import { MAX_BATCH_SIZE } from '../src/db/sqlite.js'
import type { Tables } from '../src/db/tables.js'
import { registerCleanup } from './helper.js'

type Work<T> = (trx: Kysely<Tables>) => Promise<T>

async function openLedger() {
  const file = join(mkdtempSync(join(tmpdir(), 'flowcart-group-commit-')), 'ledger.db')
  const db = await openDatabase(`sqlite:${file}`)
  registerCleanup(() => db.close())
  // A deferred foreign key is checked at COMMIT: the one way to make a commit itself fail.
  await sql`create table accounts (id integer primary key)`.execute(db.kysely)
  await sql`create table entries (id integer primary key, account_id integer references accounts (id) deferrable initially deferred)`.execute(
    db.kysely,
  )
  await sql`insert into accounts (id) values (1)`.execute(db.kysely)
  const inTransaction = <T>(work: Work<T>) => db.transact(work)
  const addEntry =
    (accountId: number): Work<number | undefined> =>
    async (trx) =>
      (await sql<{ id: number }>`insert into entries (account_id) values (${accountId}) returning id`.execute(trx))
        .rows[0]?.id
  const entries = async () =>
    (await sql<{ accountId: number }>`select account_id as accountId from entries order by id`.execute(db.kysely)).rows
  /** What another process reading the file sees: committed rows only. */
  const reader = new SqliteDatabase(file, { readonly: true })
  registerCleanup(async () => {
    reader.close()
  })
  const committedEntries = () => (reader.prepare('select count(*) as n from entries').get() as { n: number }).n
  return { db, inTransaction, addEntry, entries, committedEntries }
}

describe('group commit (SQLite)', () => {
  it('commits the writes that arrive together once, and answers each with its own result', async () => {
    const { inTransaction, addEntry, entries, committedEntries } = await openLedger()
    const seenCommitted: number[] = []
    const write = async (trx: Kysely<Tables>) => {
      seenCommitted.push(committedEntries())
      return addEntry(1)(trx)
    }

    const ids = await Promise.all([write, write, write].map((work) => inTransaction(work)))

    expect(ids).toEqual([1, 2, 3])
    // No write of the batch was committed before the last one ran: they share one commit.
    expect(seenCommitted).toEqual([0, 0, 0])
    expect(await entries()).toHaveLength(3)
    expect(committedEntries()).toBe(3)
  })

  it('commits a burst larger than one batch in several batches, losing none of it', async () => {
    const { inTransaction, addEntry, committedEntries } = await openLedger()
    const committedBefore: number[] = []
    const write = async (trx: Kysely<Tables>) => {
      committedBefore.push(committedEntries())
      return addEntry(1)(trx)
    }

    const ids = await Promise.all(Array.from({ length: 2 * MAX_BATCH_SIZE + 1 }, () => inTransaction(write)))

    expect(new Set(ids).size).toBe(2 * MAX_BATCH_SIZE + 1)
    expect(new Set(committedBefore)).toEqual(new Set([0, MAX_BATCH_SIZE, 2 * MAX_BATCH_SIZE]))
    expect(committedEntries()).toBe(2 * MAX_BATCH_SIZE + 1)
  })

  it('rolls back a write that throws without touching the others in its batch', async () => {
    const { inTransaction, addEntry, entries } = await openLedger()
    const refused = async (trx: Kysely<Tables>) => {
      await addEntry(1)(trx)
      throw new Error('refused after writing')
    }

    const outcomes = await Promise.allSettled([
      inTransaction(addEntry(1)),
      inTransaction(refused),
      inTransaction(addEntry(1)),
    ])

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(await entries()).toHaveLength(2)
  })

  it('fails every write of a batch whose commit fails, and keeps none of them', async () => {
    const { inTransaction, addEntry, entries } = await openLedger()

    // Account 2 does not exist: the deferred foreign key fails the shared COMMIT.
    const outcomes = await Promise.allSettled([inTransaction(addEntry(1)), inTransaction(addEntry(2))])

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected'])
    expect(await entries()).toEqual([])
    // The connection is usable again: the next batch commits.
    await expect(inTransaction(addEntry(1))).resolves.toBe(1)
    expect(await entries()).toEqual([{ accountId: 1 }])
  })

  it('refuses a query run outside the transaction at once, instead of waiting on the batch for ever', async () => {
    const { db, inTransaction, addEntry, entries } = await openLedger()

    const escaping = inTransaction(() => sql`select count(*) from entries`.execute(db.kysely))

    await expect(escaping).rejects.toThrow(/must run on the transaction it was given/)
    await expect(inTransaction(addEntry(1))).resolves.toBe(1)
    expect(await entries()).toHaveLength(1)
  })

  it('runs writes submitted while a batch is committing in the next batch', async () => {
    const { inTransaction, addEntry, entries } = await openLedger()
    let second: Promise<number | undefined> | undefined
    const first = inTransaction(async (trx) => {
      second = inTransaction(addEntry(1))
      return addEntry(1)(trx)
    })

    await expect(first).resolves.toBe(1)
    await expect(second).resolves.toBe(2)
    expect(await entries()).toHaveLength(2)
  })
})
