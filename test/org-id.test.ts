// Org Ids as an operator pastes them: 15 or 18 characters, kept in the 18-character form Salesforce's API returns.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrgIdInvalid } from '../src/orgs/errors.js'
import { caseSafeSuffix, toOrgId18 } from '../src/orgs/org-id.js'

// 18-character Ids printed in Salesforce's own documentation: the Analytics XMD "organizations" section
// (https://developer.salesforce.com/docs/atlas.en-us.bi_dev_guide_xmd.meta/bi_dev_guide_xmd/bi_xmd_reference_organizations.htm)
// and LongSfid() (a Contact Id, 0036000000QKv5T → 0036000000QKv5TAAT).
const DOCUMENTED = ['00DB00000003brXMAQ', '00DB0000000pqd1MAA', '00DV0025306tGV5MAM']

describe('toOrgId18', () => {
  it.each(DOCUMENTED)('turns the 15 characters of %s into the documented 18', (id18) => {
    expect(toOrgId18(id18.slice(0, 15))).toBe(id18)
    expect(toOrgId18(id18)).toBe(id18)
  })

  it('computes the suffix Salesforce documents for LongSfid()', () => {
    expect(caseSafeSuffix('0036000000QKv5T')).toBe('AAT')
  })

  it('reads each suffix character as the upper-case pattern of its five characters', () => {
    // Chunk by chunk: none upper case → A; the first only → B; all five → 5 (31, the alphabet's last).
    expect(caseSafeSuffix('00Dxx00000abcde')).toBe('EAA')
    expect(caseSafeSuffix('00DxxAaaaaBCDEF')).toBe('EB5')
  })

  it('ignores spaces around a pasted Id', () => {
    expect(toOrgId18(' 00DB00000003brX\n')).toBe('00DB00000003brXMAQ')
  })

  it('refuses an 18-character Id whose suffix does not match its first 15, naming both', () => {
    const refusal = () => toOrgId18('00DB00000003brXMAA')
    expect(refusal).toThrow(OrgIdInvalid)
    expect(refusal).toThrow('ends in "MAA", but its first 15 characters give "MAQ"')
  })

  it('refuses an Id whose case changed on the way (a lower-cased copy)', () => {
    expect(() => toOrgId18('00DB00000003brXMAQ'.toLowerCase())).toThrow(OrgIdInvalid)
  })

  it.each([
    ['00DB00000003br', 'has 14 characters: an Id has 15 or 18'],
    ['00DB00000003brXM', 'has 16 characters'],
    ['00DB00000003brXMAQ0', 'has 19 characters'],
    ['', 'has 0 characters'],
    ['00DB0000-003brX', 'holds "-": an Id has letters and digits only'],
    ['00DB00000003brÄ', 'holds "Ä"'],
    ['0056000000QKv5T', 'starts with "005", not 00D'],
  ])('refuses %j: it %s', (input, reason) => {
    expect(() => toOrgId18(input)).toThrow(reason)
  })

  it('keeps every refusal on one line, however long the input', () => {
    expect(() => toOrgId18(`00D${'x'.repeat(500)}\nsecond line`)).toThrow(/^[^\n]*$/)
  })

  it('accepts any 15 letters and digits after 00D, and its 18-character form gives it back', () => {
    const body = fc.string({ unit: fc.constantFrom(...'abcXYZ0129'), minLength: 12, maxLength: 12 })
    fc.assert(
      fc.property(body, (rest) => {
        const id18 = toOrgId18(`00D${rest}`)
        expect(id18.slice(0, 15)).toBe(`00D${rest}`)
        expect(toOrgId18(id18)).toBe(id18)
        // A single case change after the prefix breaks the match with the suffix.
        const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())
        const flipped = `00D${rest.replace(/[a-zA-Z]/, swap)}${id18.slice(15)}`
        if (flipped !== id18) expect(() => toOrgId18(flipped)).toThrow('but its first 15 characters give')
      }),
    )
  })
})
