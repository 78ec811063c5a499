// The org registry's queries. Rows become Orgs without their password hash; only the login check reads the hash.
import type { Insertable, Kysely, Selectable } from 'kysely'
import type { OrgsTable, Tables } from '../db/tables.js'
import { toIso } from '../db/values.js'

export type OrgStatus = OrgsTable['status']

/** How flowcart signs in to the org with the JWT bearer flow (basic mode). */
export interface OrgSignIn {
  loginUrl: string
  username: string
  consumerKey: string
}

/** An org of the registry as the rest of flowcart sees it: never its password, nor its hash. */
export interface Org {
  orgId: string
  name: string
  status: OrgStatus
  /** Its basic-auth user name. */
  username: string
  passwordSetAt: string
  signIn: OrgSignIn | undefined
  appLinkAuthorization: string | undefined
  createdAt: string
  updatedAt: string
}

function toOrg(row: Selectable<OrgsTable>): Org {
  const signIn =
    row.login_url !== null && row.sf_username !== null && row.consumer_key !== null
      ? { loginUrl: row.login_url, username: row.sf_username, consumerKey: row.consumer_key }
      : undefined
  return {
    orgId: row.org_id,
    name: row.name,
    status: row.status,
    username: row.username,
    passwordSetAt: toIso(row.password_set_at),
    signIn,
    appLinkAuthorization: row.applink_authorization ?? undefined,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  }
}

/** Undefined when the org is registered already (nothing is written then). */
export async function insertOrg(db: Kysely<Tables>, row: Insertable<OrgsTable>): Promise<Org | undefined> {
  const inserted = await db
    .insertInto('orgs')
    .values(row)
    .onConflict((conflict) => conflict.doNothing())
    .returningAll()
    .executeTakeFirst()
  return inserted && toOrg(inserted)
}

export async function findOrg(db: Kysely<Tables>, orgId: string): Promise<Org | undefined> {
  const row = await db.selectFrom('orgs').selectAll().where('org_id', '=', orgId).executeTakeFirst()
  return row && toOrg(row)
}

export async function listOrgs(db: Kysely<Tables>): Promise<Org[]> {
  const rows = await db.selectFrom('orgs').selectAll().orderBy('name').orderBy('org_id').execute()
  return rows.map(toOrg)
}

/** The org whose login has this user name, with the hash its password is checked against. */
export async function findLogin(
  db: Kysely<Tables>,
  username: string,
): Promise<{ org: Org; passwordHash: string } | undefined> {
  const row = await db.selectFrom('orgs').selectAll().where('username', '=', username).executeTakeFirst()
  return row && { org: toOrg(row), passwordHash: row.password_hash }
}

/** Undefined when there is no such org. */
export async function replacePasswordHash(
  db: Kysely<Tables>,
  orgId: string,
  passwordHash: string,
): Promise<Org | undefined> {
  const now = new Date().toISOString()
  const row = await db
    .updateTable('orgs')
    .set({ password_hash: passwordHash, password_set_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .returningAll()
    .executeTakeFirst()
  return row && toOrg(row)
}

/** Undefined when there is no such org. */
export async function updateStatus(db: Kysely<Tables>, orgId: string, status: OrgStatus): Promise<Org | undefined> {
  const row = await db
    .updateTable('orgs')
    .set({ status, updated_at: new Date().toISOString() })
    .where('org_id', '=', orgId)
    .returningAll()
    .executeTakeFirst()
  return row && toOrg(row)
}
