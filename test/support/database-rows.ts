// Runs SQL straight on a test database, the way an operator with psql or sqlite3 would.
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

export async function selectRows<Row>(databaseUrl: string, query: string): Promise<Row[]> {
  if (databaseUrl.startsWith('sqlite:')) {
    const sqlite = new SqliteDatabase(databaseUrl.slice('sqlite:'.length))
    try {
      const statement = sqlite.prepare(query)
      if (statement.reader) return statement.all() as Row[]
      statement.run()
      return []
    } finally {
      sqlite.close()
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query(query)).rows as Row[]
  } finally {
    await client.end()
  }
}
