// The benchmark's own PostgreSQL databases, created fresh on the server of BENCH_POSTGRES_URL and dropped after.
import pg from 'pg'

export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** undefined when PostgreSQL cannot be reached (its rows are then skipped), or why not. */
export async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return undefined
  } catch (error) {
    return (error as Error).message
  } finally {
    await client.end().catch(() => {})
  }
}

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** An empty database named `name` (dropped first if a previous run left it), and its URL. */
export async function freshDatabase(name: string): Promise<string> {
  await admin(`drop database if exists ${name} with (force)`)
  await admin(`create database ${name}`)
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

export const dropDatabase = (name: string) => admin(`drop database if exists ${name} with (force)`)
