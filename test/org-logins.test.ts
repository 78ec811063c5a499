// Each org's own basic-auth login: a generated password, kept only as a slow salted hash, checked by verifyOrgLogin.
import { describe, expect, it } from 'vitest'
import { OrgExists, OrgNotFound } from '../src/orgs/errors.js'
import { hashPassword, passwordMatches } from '../src/orgs/password-hash.js'
import { addOrg, rotateOrgPassword, setOrgStatus, verifyOrgLogin } from '../src/orgs/service.js'
import { databaseUrlFor, engines, openTestDatabase } from './helper.js'

const ORG_ID = '00DB00000003brXMAQ'
const OTHER_ORG_ID = '00DB0000000pqd1MAA'

describe('password hashes', () => {
  it('are scrypt with their parameters and salt, and differ for the same password', async () => {
    const [first, second] = [await hashPassword('a password'), await hashPassword('a password')]
    expect(first).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    expect(second).not.toBe(first)
    expect(await passwordMatches('a password', first)).toBe(true)
    expect(await passwordMatches('a password', second)).toBe(true)
    expect(await passwordMatches('a passwore', first)).toBe(false)
    expect(await passwordMatches('', first)).toBe(false)
  })

  it('verify with the parameters stored beside them, so stronger ones later leave old rows working', async () => {
    const [, , , , salt, hash] = (await hashPassword('kept')).split('$')
    // The same salt and password with other parameters is another hash: the stored parameters are the ones used.
    expect(await passwordMatches('kept', `scrypt$16384$8$1$${salt}$${hash}`)).toBe(false)
  })

  it.each([
    'plain text',
    'scrypt$32768$8$3$c2FsdA',
    'scrypt$1000$8$3$c2FsdA$aGFzaA',
    'scrypt$1073741824$8$1$c2FsdA$aGFzaA',
    'bcrypt$10$x$y$z$w',
  ])('refuse a stored value that is not such a hash: %s', async (stored) => {
    expect(await passwordMatches('plain text', stored)).toBe(false)
  })
})

describe.each(engines)('verifyOrgLogin on %s', (engine) => {
  const open = async () => openTestDatabase(await databaseUrlFor(engine), { seedDemoData: false })

  it("accepts the org's user name with its password, and answers the org", async () => {
    const db = await open()
    const { org, password } = await addOrg(db, { orgId: ORG_ID.slice(0, 15), name: 'Acme' })
    expect(org).toMatchObject({ orgId: ORG_ID, username: `org-${ORG_ID}`, status: 'active', name: 'Acme' })
    expect(password).toMatch(/^[A-Za-z0-9_-]{24,}$/)
    expect(await verifyOrgLogin(db, `org-${ORG_ID}`, password)).toMatchObject({ orgId: ORG_ID, name: 'Acme' })
  })

  it("refuses a wrong password, another org's password and an unknown user name", async () => {
    const db = await open()
    const acme = await addOrg(db, { orgId: ORG_ID, name: 'Acme' })
    const globex = await addOrg(db, { orgId: OTHER_ORG_ID, name: 'Globex' })
    expect(await verifyOrgLogin(db, acme.org.username, `${acme.password}x`)).toBeUndefined()
    expect(await verifyOrgLogin(db, acme.org.username, '')).toBeUndefined()
    expect(await verifyOrgLogin(db, acme.org.username, globex.password)).toBeUndefined()
    expect(await verifyOrgLogin(db, 'org-00DV0025306tGV5MAM', acme.password)).toBeUndefined()
    expect(await verifyOrgLogin(db, acme.org.username.toLowerCase(), acme.password)).toBeUndefined()
  })

  it('refuses a disabled org with its right password, and accepts it again once enabled', async () => {
    const db = await open()
    const { org, password } = await addOrg(db, { orgId: ORG_ID, name: 'Acme' })
    expect((await setOrgStatus(db, ORG_ID, 'disabled')).changed).toBe(true)
    expect(await verifyOrgLogin(db, org.username, password)).toBeUndefined()
    expect((await setOrgStatus(db, ORG_ID, 'disabled')).changed).toBe(false)
    await setOrgStatus(db, ORG_ID, 'active')
    expect(await verifyOrgLogin(db, org.username, password)).toMatchObject({ orgId: ORG_ID, status: 'active' })
  })

  it('after a rotation refuses the old password and accepts the new one', async () => {
    const db = await open()
    const first = await addOrg(db, { orgId: ORG_ID, name: 'Acme' })
    const rotated = await rotateOrgPassword(db, ORG_ID)
    expect(rotated.password).not.toBe(first.password)
    expect(await verifyOrgLogin(db, first.org.username, first.password)).toBeUndefined()
    expect(await verifyOrgLogin(db, first.org.username, rotated.password)).toMatchObject({ orgId: ORG_ID })
    expect(Date.parse(rotated.org.passwordSetAt)).toBeGreaterThanOrEqual(Date.parse(first.org.passwordSetAt))
  })

  it('refuses a second add of the same org (15 or 18 characters) and a rotation of an unknown one', async () => {
    const db = await open()
    const { password } = await addOrg(db, { orgId: ORG_ID, name: 'Acme' })
    await expect(addOrg(db, { orgId: ORG_ID.slice(0, 15), name: 'Acme again' })).rejects.toThrow(OrgExists)
    await expect(rotateOrgPassword(db, OTHER_ORG_ID)).rejects.toThrow(OrgNotFound)
    await expect(setOrgStatus(db, OTHER_ORG_ID, 'disabled')).rejects.toThrow(OrgNotFound)
    // The refused add changed nothing: the first login still works.
    expect(await verifyOrgLogin(db, `org-${ORG_ID}`, password)).toMatchObject({ name: 'Acme' })
  })

  it('stores the hash and never the password', async () => {
    const db = await open()
    const { password } = await addOrg(db, { orgId: ORG_ID, name: 'Acme' })
    const rows = await db.kysely.selectFrom('orgs').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain(password)
    expect(rows[0]?.password_hash).toMatch(/^scrypt\$/)
  })

  it('the database itself refuses partial sign-in settings and an unknown status', async () => {
    const db = await open()
    await addOrg(db, { orgId: ORG_ID, name: 'Acme' })
    const update = (changes: Record<string, string>) =>
      db.kysely.updateTable('orgs').set(changes).where('org_id', '=', ORG_ID).execute()
    await expect(update({ login_url: 'https://login.salesforce.com' })).rejects.toThrow()
    await expect(update({ status: 'paused' })).rejects.toThrow()
  })
})
