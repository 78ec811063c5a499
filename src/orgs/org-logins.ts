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
  return {
    verify(username: string, password: string): Promise<string | undefined> {
      const key = hash('sha256', `${username}:${password}`)
      const now = Date.now()
      const known = remembered.get(key)
      if (known && known.until > now) return known.orgId
      if (remembered.size >= REMEMBERED_AT_MOST) remembered.clear()
      const orgId = verifyOrgLogin(db, username, password).then((org) => org?.orgId)
      remembered.set(key, { orgId, until: now + rememberMs })
      // A refused or failed check is not remembered: the next attempt checks again (and is throttled).
      orgId.then(
        (id) => id === undefined && remembered.delete(key),
        () => remembered.delete(key),
      )
      return orgId
    },
    async exists(username: string): Promise<boolean> {
      return (await findLogin(db.kysely, username)) !== undefined
    },
  }
}
