// SQLite statements stay prepared, and queries with IN lists of every length never crowd the hot ones out.
import SqliteDatabase from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from '../src/db/sqlite.js'

describe('SQLite statement cache', () => {
  it('keeps a statement in use prepared after many one-off ones', () => {
    const sqlite = new SqliteDatabase(':memory:')
    const handle = withStatementCache(sqlite)
    const inList = (length: number) => `select 1 where 1 in (${Array(length).fill('?').join(',')})`
    for (let length = 1; length <= 600; length++) handle.prepare(inList(length))

    // First used once the cache is full, as a statement of a rarely taken path would be.
    const hot = handle.prepare('select 1 as hot')
    for (let length = 601; length <= 1200; length++) {
      handle.prepare(inList(length))
      if (length % 100 === 0) expect(handle.prepare('select 1 as hot')).toBe(hot)
    }
    sqlite.close()
  })
})
