// A Salesforce org Id as an operator pastes it (15 or 18 characters), checked and brought to its 18-character form,
// the one the registry keys on.
//
// Salesforce Ids are 15 case-sensitive characters from [A-Za-z0-9]; the API returns an 18-character "case-safe" form
// that adds a 3-character suffix (the ID field type,
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm; Salesforce's own LongSfid()
// turns 0036000000QKv5T into 0036000000QKv5TAAT,
// https://developer.salesforce.com/docs/atlas.en-us.noversion.mc-programmatic-content.meta/mc-programmatic-content/longsfid.htm).
// Each suffix character encodes which of five characters of the 15 are upper case: bit i set when character i of
// the chunk is A-Z, the 5-bit number read from "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345" (the algorithm as described at
// https://salesforce.stackexchange.com/questions/1653). A suffix that does not match its first 15 characters means
// the Id was retyped or its case changed on the way: it would name another org, so it is refused, not repaired.
// An org's Id starts with the Organization key prefix 00D (https://help.salesforce.com/s/articleView?id=000385203).
import { OrgIdInvalid } from './errors.js'

const ORGANIZATION_PREFIX = '00D'
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
const ID_CHARACTERS = /^[A-Za-z0-9]*$/

/** The 3 characters Salesforce appends to a 15-character Id. */
export function caseSafeSuffix(id15: string): string {
  let suffix = ''
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0
    for (let i = 0; i < 5; i++) {
      const character = id15.charAt(chunk * 5 + i)
      if (character >= 'A' && character <= 'Z') flags |= 1 << i
    }
    suffix += SUFFIX_ALPHABET.charAt(flags)
  }
  return suffix
}

/** The 18-character form of a 15- or 18-character org Id; OrgIdInvalid naming what is wrong otherwise. */
export function toOrgId18(input: string): string {
  const id = input.trim()
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)
  if (!ID_CHARACTERS.test(id)) {
    const bad = [...id].find((character) => !/[A-Za-z0-9]/.test(character))
    throw new OrgIdInvalid(`org Id ${shown} holds ${JSON.stringify(bad)}: an Id has letters and digits only.`)
  }
  if (id.length !== 15 && id.length !== 18) {
    throw new OrgIdInvalid(`org Id ${shown} has ${id.length} characters: an Id has 15 or 18.`)
  }
  if (!id.startsWith(ORGANIZATION_PREFIX)) {
    throw new OrgIdInvalid(
      `org Id ${shown} starts with ${JSON.stringify(id.slice(0, 3))}, not 00D: it is the Id of another kind of record (Setup → Company Information shows the org's).`,
    )
  }
  const id15 = id.slice(0, 15)
  const expected = caseSafeSuffix(id15)
  if (id.length === 18 && id.slice(15) !== expected) {
    throw new OrgIdInvalid(
      `org Id ${shown} ends in ${JSON.stringify(id.slice(15))}, but its first 15 characters give ${JSON.stringify(expected)}: a character or its case changed; copy the Id again.`,
    )
  }
  return id15 + expected
}

/**
 * Whether `given` (15 or 18 characters, as a caller may write it) names the org `own` (18 characters). The
 * 15-character Id is the 18-character one without its case-safe suffix, and is compared case-sensitively, as it is.
 */
export function namesOrg(given: string, own: string | null): boolean {
  if (own === null) return false
  return given.length === 15 ? own.startsWith(given) : given === own
}
