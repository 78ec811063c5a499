// What the catalog rows read of flowcart's database from the bench process, while flowcart runs: what a client would
// see once a change's transaction has committed. One PostgreSQL connection, or SQLite read-only (WAL lets a reader
// see each commit without holding the writer back).
import Sqlite from 'better-sqlite3'
import pg from 'pg'

export interface CatalogReader {
  /** The topic's stored replay id (base64); undefined when there is none. */
  checkpoint(topic: string): Promise<string | undefined>
  /** Rows of pubsub_applied_events: the change events applied so far. */
  appliedEvents(): Promise<number>
  /** Earliest applied_at of the events applied since `since` (flowcart's clock, this machine's), in epoch ms. */
  firstAppliedSince(since: Date): Promise<number | undefined>
  /** The name of each of these products, by SKU. */
  namesOf(skus: string[]): Promise<Map<string, string>>
  close(): Promise<void>
}

const ORG = 'default'

export async function openCatalogReader(databaseUrl: string): Promise<CatalogReader> {
  if (databaseUrl.startsWith('sqlite:')) return sqliteReader(databaseUrl.slice('sqlite:'.length))
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const one = async <T>(text: string, values: unknown[]) => (await client.query(text, values)).rows[0] as T | undefined
  return {
    checkpoint: async (topic) =>
      (
        await one<{ replay_id: string | null }>(
          'select replay_id from pubsub_checkpoints where org_key = $1 and topic = $2',
          [ORG, topic],
        )
      )?.replay_id ?? undefined,
    appliedEvents: async () =>
      Number(
        (await one<{ n: string }>('select count(*) as n from pubsub_applied_events where org_key = $1', [ORG]))?.n,
      ),
    firstAppliedSince: async (since) => {
      const row = await one<{ first: string | Date | null }>(
        'select min(applied_at) as first from pubsub_applied_events where org_key = $1 and applied_at >= $2',
        [ORG, since.toISOString()],
      )
      return row?.first ? new Date(row.first).getTime() : undefined
    },
    namesOf: async (skus) => {
      const { rows } = await client.query<{ sku: string; name: string }>(
        'select sku, name from products where sku = any($1)',
        [skus],
      )
      return new Map(rows.map((row) => [row.sku, row.name]))
    },
    close: () => client.end(),
  }
}

function sqliteReader(file: string): CatalogReader {
  const db = new Sqlite(file, { readonly: true })
  const checkpoint = db.prepare<[string, string], { replay_id: string | null }>(
    'select replay_id from pubsub_checkpoints where org_key = ? and topic = ?',
  )
  const applied = db.prepare<[string], { n: number }>(
    'select count(*) as n from pubsub_applied_events where org_key = ?',
  )
  const first = db.prepare<[string, string], { first: string | null }>(
    'select min(applied_at) as first from pubsub_applied_events where org_key = ? and applied_at >= ?',
  )
  return {
    checkpoint: async (topic) => checkpoint.get(ORG, topic)?.replay_id ?? undefined,
    appliedEvents: async () => applied.get(ORG)?.n ?? 0,
    firstAppliedSince: async (since) => {
      const value = first.get(ORG, since.toISOString())?.first
      return value ? new Date(value).getTime() : undefined
    },
    namesOf: async (skus) => {
      const rows = db
        .prepare<string[], { sku: string; name: string }>(
          `select sku, name from products where sku in (${skus.map(() => '?').join(', ')})`,
        )
        .all(...skus)
      return new Map(rows.map((row) => [row.sku, row.name]))
    },
    close: async () => {
      db.close()
    },
  }
}
