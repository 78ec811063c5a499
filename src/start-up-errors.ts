// Why start-up (or the release phase) failed, as the one line an operator acts on: the cause as PostgreSQL or the
// system gave it, and the fix. Undefined for anything else, which the caller prints in full (it is a bug).
// A cause a retry cannot fix (no such database or role, nothing listening) ends the process at once; the line says
// "retry shortly" only where the cause passes by itself (the database starting up, out of connections, a timeout).
import { dirname, resolve } from 'node:path'
import { databaseLocation } from './database-location.js'
import { describeDatabaseUrl } from './db/connect.js'
import { StoredDataError } from './db/migrations.js'
import { ConfigError } from './environment-variables.js'
import { DatabaseUnavailable } from './errors.js'

export interface StartUpContext {
  databaseUrl: string | undefined
  /** Where the server was to listen; absent in the release phase. */
  listen?: { variable: 'PORT' | 'APP_PORT'; port: number; host: string }
}

interface SystemError extends Error {
  code?: string
  syscall?: string
  path?: string
  address?: string
  port?: number
  hostname?: string
}

export function startUpProblem(error: unknown, context: StartUpContext): string | undefined {
  if (error instanceof ConfigError || error instanceof StoredDataError) return error.message
  if (!(error instanceof Error)) return undefined
  return (
    listenProblem(error as SystemError, context) ??
    sqliteProblem(error as SystemError, context.databaseUrl) ??
    postgresProblem(error, context.databaseUrl)
  )
}

function listenProblem(error: SystemError, { listen }: StartUpContext): string | undefined {
  if (!listen || error.syscall !== 'listen') return undefined
  const { variable, port, host } = listen
  if (error.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (EADDRINUSE): stop what listens there (lsof -i :${port} names it), or set ${variable} to another port.`
  }
  if (error.code === 'EACCES') {
    return `port ${port} needs privileges this process does not have (EACCES): set ${variable} to a port above 1023.`
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return `${host} is not an address of this machine (EADDRNOTAVAIL): set HOST to one of its addresses, or unset it.`
  }
  return undefined
}

/** A file error on the SQLite database's folder (or the password kept in it), or SQLite unable to open the file. */
function sqliteProblem(error: SystemError, databaseUrl: string | undefined): string | undefined {
  let location: string
  try {
    const described = describeDatabaseUrl(databaseUrl)
    if (described.engine !== 'sqlite' || described.location === ':memory:') return undefined
    location = described.location
  } catch {
    return undefined
  }
  const fix = 'set DATABASE_URL=sqlite:<a path in a folder this user can write>'
  const cannotOpen =
    error.name === 'SqliteError' && /^SQLITE_(CANTOPEN|READONLY|PERM|IOERR|NOTADB)/.test(error.code ?? '')
  if (cannotOpen) {
    const what = error.code === 'SQLITE_NOTADB' ? 'set DATABASE_URL=sqlite:<a SQLite file, or a new path>' : fix
    return `cannot open the SQLite database ${location} (${error.code}: ${error.message}): ${what}.`
  }
  if (!error.syscall || !error.path) return undefined
  const folder = resolve(dirname(location))
  const path = resolve(error.path)
  // A recursive mkdir reports the path it was given or the part of it that failed; either is on the folder's way.
  const onTheWay = path === folder || path.startsWith(`${folder}/`) || folder.startsWith(`${path}/`)
  if (!onTheWay) return undefined
  return `cannot create or open the folder of the SQLite database ${location} (${error.message}): ${fix}.`
}

// SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
const RETRY = 'retry shortly'
function postgresProblem(error: Error, databaseUrl: string | undefined): string | undefined {
  const cause = (error instanceof DatabaseUnavailable ? error.cause : error) as SystemError | undefined
  let where: string
  try {
    const { engine } = describeDatabaseUrl(databaseUrl)
    if (engine !== 'postgres') return undefined
    where = `DATABASE_URL is ${databaseLocation(databaseUrl).replace(/^PostgreSQL /, '')}`
  } catch {
    return undefined
  }
  if (!(cause instanceof Error)) return undefined
  const code = cause.code ?? ''
  // Connecting failed (the pool wraps every such failure), or PostgreSQL answered with an error of its own.
  if (!(error instanceof DatabaseUnavailable || /^[0-9A-Z]{5}$/.test(code))) return undefined
  const said = firstMessage(cause)
  const line = (fix: string) => `${said} (${where}): ${fix}.`
  if (code === '3D000') return line('create the database, or correct its name in DATABASE_URL')
  if (code === '28000' && /^role ".*" does not exist/.test(said)) {
    return line('correct the user in DATABASE_URL, or create the role')
  }
  if (code === '28000' || code === '28P01') return line('correct the user and password in DATABASE_URL')
  if (code === 'ECONNREFUSED')
    return line('nothing listens there: start PostgreSQL, or correct the host and port in DATABASE_URL')
  if (code === 'ENOTFOUND') return line('no such host: correct the host in DATABASE_URL')
  if (/SSL|certificate/i.test(said) || code.startsWith('ERR_TLS') || code.includes('CERT')) {
    return line('set sslmode in DATABASE_URL to what the server offers (?sslmode=disable, require or verify-full)')
  }
  if (code === '57P03') return line(`${RETRY}: PostgreSQL is starting up or recovering`)
  if (code === '53300')
    return line(`${RETRY}, or lower DATABASE_POOL_SIZE: every connection the server allows is taken`)
  if (error instanceof DatabaseUnavailable)
    return line(`${RETRY}; if it lasts, check that PostgreSQL runs and DATABASE_URL`)
  return undefined
}

/** A connection to a name with several addresses fails with an AggregateError whose own message is empty. */
function firstMessage(error: Error): string {
  if (error.message) return error.message
  const [first] = error instanceof AggregateError ? (error.errors as Error[]) : []
  return first?.message || String((error as SystemError).code ?? error.name)
}
