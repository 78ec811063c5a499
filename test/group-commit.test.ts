// SQLite group commit: writes submitted together share one transaction, yet each succeeds or fails on its own,
// and none is acknowledged unless the shared commit succeeds.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { CompiledQuery } from 'kysely'
import { describe, expect, it } from 'vitest'
import { connect } from '../src/store/connect.js'
import { MAX_BATCH_SIZE } from '../src/store/group-commit.js'
import { type TransactionScope, writeTransactions } from '../src/store/write-transactions.js'
import { registerCleanup } from './helper.js'

function openLedger() {
  const file = join(mkdtempSync(join(tmpdir(), 'flowcart-group-commit-')), 'ledger.db')
  const connection = connect(`sqlite:${file}`)
  const sqlite = connection.sqlite as NonNullable<typeof connection.sqlite>
  registerCleanup(() => connection.db.destroy())
  // A deferred foreign key is checked at COMMIT: the one way to make a commit itself fail.
  sqlite.exec(`
    create table accounts (id integer primary key);
    create table entries (id integer primary key, account_id integer references accounts (id) deferrable initially deferred);
    insert into accounts (id) values (1);
  `)
  const inTransaction = writeTransactions(connection, { recordStockEvents: false })
  const addEntry =
    (accountId: number) =>
    async ({ run }: TransactionScope) => {
      const insert: CompiledQuery<{ id: number }> = CompiledQuery.raw(
        'insert into entries (account_id) values (?) returning id',
        [accountId],
      )
      return (await run(insert)).rows[0]?.id
    }
  const entries = () => sqlite.prepare('select account_id as accountId from entries order by id').all()
  /** What another process reading the file sees: committed rows only. */
  const reader = new SqliteDatabase(file, { readonly: true })
  registerCleanup(async () => {
    reader.close()
  })
  const committedEntries = () => (reader.prepare('select count(*) as n from entries').get() as { n: number }).n
  return { inTransaction, addEntry, entries, committedEntries }
}

describe('group commit (SQLite)', () => {
  it('commits the writes that arrive together once, and answers each with its own result', async () => {
    const { inTransaction, addEntry, entries, committedEntries } = openLedger()
    const seenCommitted: number[] = []
    const write = async (scope: TransactionScope) => {
      seenCommitted.push(committedEntries())
      return addEntry(1)(scope)
    }

    const ids = await Promise.all([write, write, write].map((work) => inTransaction(work)))

    expect(ids).toEqual([1, 2, 3])
    // No write of the batch was committed before the last one ran: they share one commit.
    expect(seenCommitted).toEqual([0, 0, 0])
    expect(entries()).toHaveLength(3)
    expect(committedEntries()).toBe(3)
  })

  it('commits a burst larger than one batch in several batches, losing none of it', async () => {
    const { inTransaction, addEntry, committedEntries } = openLedger()
    const committedBefore: number[] = []
    const write = async (scope: TransactionScope) => {
      committedBefore.push(committedEntries())
      return addEntry(1)(scope)
    }

    const ids = await Promise.all(Array.from({ length: 2 * MAX_BATCH_SIZE + 1 }, () => inTransaction(write)))

    expect(new Set(ids).size).toBe(2 * MAX_BATCH_SIZE + 1)
    expect(new Set(committedBefore)).toEqual(new Set([0, MAX_BATCH_SIZE, 2 * MAX_BATCH_SIZE]))
    expect(committedEntries()).toBe(2 * MAX_BATCH_SIZE + 1)
  })

  it('rolls back a write that throws without touching the others in its batch', async () => {
    const { inTransaction, addEntry, entries } = openLedger()
    const refused = async (scope: TransactionScope) => {
      await addEntry(1)(scope)
      throw new Error('refused after writing')
    }

    const outcomes = await Promise.allSettled([
      inTransaction(addEntry(1)),
      inTransaction(refused),
      inTransaction(addEntry(1)),
    ])

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(entries()).toHaveLength(2)
  })

  it('fails every write of a batch whose commit fails, and keeps none of them', async () => {
    const { inTransaction, addEntry, entries } = openLedger()

    // Account 2 does not exist: the deferred foreign key fails the shared COMMIT.
    const outcomes = await Promise.allSettled([inTransaction(addEntry(1)), inTransaction(addEntry(2))])

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected'])
    expect(entries()).toEqual([])
    // The connection is usable again: the next batch commits.
    await expect(inTransaction(addEntry(1))).resolves.toBe(1)
    expect(entries()).toEqual([{ accountId: 1 }])
  })

  it('refuses a query run outside the transaction at once, instead of waiting on the batch for ever', async () => {
    const { inTransaction, addEntry, entries } = openLedger()

    const escaping = inTransaction(({ builder }) => builder.selectFrom('products').selectAll().execute())

    await expect(escaping).rejects.toThrow(/only compiles queries/)
    await expect(inTransaction(addEntry(1))).resolves.toBe(1)
    expect(entries()).toHaveLength(1)
  })

  it('runs writes submitted while a batch is committing in the next batch', async () => {
    const { inTransaction, addEntry, entries } = openLedger()
    let second: Promise<number | undefined> | undefined
    const first = inTransaction(async (scope) => {
      second = inTransaction(addEntry(1))
      return addEntry(1)(scope)
    })

    await expect(first).resolves.toBe(1)
    await expect(second).resolves.toBe(2)
    expect(entries()).toHaveLength(2)
  })
})
