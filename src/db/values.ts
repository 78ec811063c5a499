// How values are kept in the database, and back: money in cents, timestamps as ISO strings (SQLite) or timestamptz.

/** SQLite hands back the ISO strings stored; PostgreSQL's timestamptz arrives as a Date. */
export const toIso = (value: string | Date) => (typeof value === 'string' ? value : value.toISOString())

export const fromCents = (cents: number) => Math.round(cents) / 100
