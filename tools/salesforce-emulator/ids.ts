// Salesforce record Ids: 3-char key prefix, 12-char body, 3-char case-folding checksum.

export const KEY_PREFIX = {
  product: '01t',
  priceBook: '01s',
  priceEntry: '01u',
  event: 'e01',
  organization: '00D',
  user: '005',
  queryLocator: '01g',
} as const

const ID_15 = /^[a-zA-Z0-9]{15}$/
const ID_18 = /^[a-zA-Z0-9]{15}[A-Z0-5]{3}$/
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

// Each suffix char encodes which of five chars in a 15-char Id are upper case, so 15-char Ids survive case-folding.
function checksum(id15: string): string {
  let suffix = ''
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i)
      if (c >= 'A' && c <= 'Z') flags |= 1 << i
    }
    suffix += SUFFIX_ALPHABET.charAt(flags)
  }
  return suffix
}

/**
 * Ids of different orgs never collide in Salesforce, so each emulated org has its own `realm` (the three characters
 * after the key prefix): the first org's is Em0, the next ones' Em1, Em2 and so on.
 */
export function makeId(prefix: string, sequence: number, realm = realmOf(0)): string {
  let body = ''
  for (let n = sequence; n > 0; n = Math.floor(n / 62)) body = BASE62.charAt(n % 62) + body
  const id15 = `${prefix}${realm}${body.padStart(9, '0')}`
  return id15 + checksum(id15)
}

export const MAX_ORGS = BASE62.length

/** The realm of the `index`-th org of an emulator (0 for the first). */
export function realmOf(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_ORGS) throw new Error(`At most ${MAX_ORGS} orgs`)
  return `Em${BASE62.charAt(index)}`
}

export function isWellFormedId(id: string): boolean {
  if (ID_15.test(id)) return true
  return ID_18.test(id) && checksum(id.slice(0, 15)) === id.slice(15)
}

/** The 18-char form of a well-formed 15- or 18-char Id. */
export function toId18(id: string): string {
  const id15 = id.slice(0, 15)
  return id15 + checksum(id15)
}

/** The case-sensitive 15-char form under which a record is stored and looked up. */
export function idKey(id: string): string {
  return id.slice(0, 15)
}
