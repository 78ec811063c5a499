// Tells a PostgreSQL error that means "the database cannot serve this now" (the connection is gone, the server is
// shutting down or read-only in a changeover) from one about the statement itself.

/**
 * SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html): class 08, connection exception;
 * admin_shutdown 57P01 (pg_terminate_backend, a fast shutdown), crash_shutdown 57P02, cannot_connect_now 57P03
 * (starting up or recovering), idle_session_timeout 57P05, idle_in_transaction_session_timeout 25P03; and
 * read_only_sql_transaction 25006, which a write meets on a database that is still a follower during a Heroku
 * Postgres changeover ("pg is read only", https://help.heroku.com/CM2A0TGW).
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '57P05', '25P03', '25006'])

/** Socket errors of a connection whose other end went away or cannot be reached. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * `connectionLost`: the connection's client has reported an error of its own. node-postgres then fails every query
 * on it, with messages such as "Connection terminated unexpectedly" that carry no code.
 */
export function meansUnavailable(error: Error, connectionLost: boolean): boolean {
  const code = (error as { code?: unknown }).code
  if (connectionLost || typeof code !== 'string') return connectionLost
  return code.startsWith('08') || UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code)
}
