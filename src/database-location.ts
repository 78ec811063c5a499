// Where the database is, in words safe to print: the engine and the place, DATABASE_URL's password masked.
import { describeDatabaseUrl, type Engine } from './db/connect.js'

const MASK = '****'
const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' }

/** A postgres:// URL with its password (in the user part or as ?password=) replaced by ****. */
export function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = MASK
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', MASK)
    return parsed.toString()
  } catch {
    // Not a URL that parses: show the scheme only, since where the password sits cannot be told.
    return `${url.split(':')[0]}://${MASK}`
  }
}

/** "SQLite ./data/flowcart.db" or "PostgreSQL postgres://user:****@host:5432/name". */
export function databaseLocation(databaseUrl: string | undefined): string {
  const { engine, location } = describeDatabaseUrl(databaseUrl)
  return `${ENGINE_NAMES[engine]} ${engine === 'postgres' ? maskedUrl(location) : location}`
}
