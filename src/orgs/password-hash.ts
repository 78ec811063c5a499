// An org login's password as stored: a slow, salted scrypt hash with its parameters, never the password itself.
//
// Stored as scrypt$N$r$p$salt$hash (salt and hash in base64url), so a row keeps verifying after the parameters
// below are raised for new passwords. The parameters are one of the equivalent settings OWASP's Password Storage
// Cheat Sheet lists for scrypt (N=2^17 r=8 p=1, or 2^16/8/2, 2^15/8/3, …;
// https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#scrypt): N=2^15, r=8, p=3 costs
// about as much CPU as the first but needs 32 MiB per hash (128 × N × r bytes) instead of 128 MiB, which matters on a
// 512 MB dyno where several logins may be checked at once.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

const SCHEME = 'scrypt'
export const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 3 } as const
const SALT_BYTES = 16
const KEY_BYTES = 32
/** Node refuses a hash needing more than maxmem (default 32 MiB, just under what N=2^15, r=8 takes with its buffers). */
const MAX_MEMORY = 64 * 1024 * 1024
/** The most a stored N may ask for: a row written by hand with a huge N must not tie up the process. */
const MAX_STORED_N = 2 ** 20

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: Math.max(MAX_MEMORY, 256 * cost.N * cost.r) }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, SCRYPT_COST)
  const { N, r, p } = SCRYPT_COST
  return [SCHEME, N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Whether `password` is the one `stored` was made from; false for a stored value that is not such a hash. */
export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$')
  if (scheme !== SCHEME || rest.length > 0 || !salt || !hash) return false
  const cost = { N: Number(n), r: Number(r), p: Number(p) }
  const within = (value: number, low: number, high: number) => Number.isInteger(value) && value >= low && value <= high
  const powerOfTwo = (cost.N & (cost.N - 1)) === 0
  if (!within(cost.N, 2, MAX_STORED_N) || !powerOfTwo || !within(cost.r, 1, 32) || !within(cost.p, 1, 16)) {
    return false
  }
  const expected = Buffer.from(hash, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'), cost)
  // Compared in constant time: how far a guess matches never shows in how long the answer takes.
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
