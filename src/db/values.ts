// How values are kept in the database, and back: money in cents, timestamps as ISO strings (SQLite) or timestamptz.

/** SQLite hands back the ISO strings stored; PostgreSQL's timestamptz arrives as a Date. */
export const toIso = (value: string | Date) => (typeof value === 'string' ? value : value.toISOString())

export const fromCents = (cents: number) => Math.round(cents) / 100

/** An amount of at most two decimals in cents; undefined when it has more (12.345). */
export function toCents(amount: number): number | undefined {
  const cents = Math.round(amount * 100)
  // 0.29 * 100 is 28.999999999999996 in binary floating point: a tolerance far below a cent.
  return Math.abs(cents - amount * 100) < 1e-6 ? cents : undefined
}
