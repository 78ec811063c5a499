// Registered orgs' basic-auth logins, as the auth plugin asks about them (http/auth.ts, OrgLogins). A login verified a
// moment ago is remembered for REMEMBER_MS, so its slow hash is not paid on every request (a Flow may call many times
// a second) and concurrent requests with it share one check; a disabled org or a rotated password is therefore
// refused on every dyno within REMEMBER_MS, inside the registry's promise of 5 s.
import { hash } from 'node:crypto'
import type { Database } from '../db/connect.js'
import { findLogin } from './repository.js'
import { verifyOrgLogin } from './service.js'

export const REMEMBER_MS = 4000
/** Logins remembered at once; past this the memory starts afresh rather than grow (each entry lasts seconds). */
const REMEMBERED_AT_MOST = 10_000

export function orgLogins(db: Database, rememberMs = REMEMBER_MS) {
  // Keyed by a digest of user name and password, never the password itself; only successful checks stay.
  const remembered = new Map<string, { orgId: Promise<string | undefined>; until: number }>()
  /** User names of logins checked a moment ago: the throttle asks for each request, and needs no query for them. */
  const knownLogins = new Map<string, number>()
  return {
    async verify(username: string, password: string, beforeSlowCheck: () => Promise<void>) {
      const key = hash('sha256', `${username}:${password}`)
      const known = remembered.get(key)
      if (known && known.until > Date.now()) return known.orgId
      await beforeSlowCheck()
      if (remembered.size >= REMEMBERED_AT_MOST) remembered.clear()
      if (knownLogins.size >= REMEMBERED_AT_MOST) knownLogins.clear()
      const until = Date.now() + rememberMs
      const orgId = verifyOrgLogin(db, username, password).then((org) => org?.orgId)
      remembered.set(key, { orgId, until })
      // A refused or failed check is not remembered: the next attempt checks again (and is throttled).
      orgId.then(
        (id) => (id === undefined ? remembered.delete(key) : knownLogins.set(username, until)),
        () => remembered.delete(key),
      )
      return orgId
    },
    async exists(username: string): Promise<boolean> {
      if ((knownLogins.get(username) ?? 0) > Date.now()) return true
      return (await findLogin(db.kysely, username)) !== undefined
    },
  }
}
