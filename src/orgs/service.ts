// The org registry's work: an org added with its own basic-auth login, its password replaced, the org disabled or
// enabled, and the check of a login. A password exists in clear only in what add and rotate hand back, once.
import type { Database } from '../db/connect.js'
import { randomPassword } from '../random-password.js'
import { OrgExists, OrgNotFound, OrgSettingInvalid } from './errors.js'
import { toOrgId18 } from './org-id.js'
import { hashPassword, passwordMatches } from './password-hash.js'
import {
  findLogin,
  findOrg,
  insertOrg,
  listOrgs,
  type Org,
  type OrgSignIn,
  type OrgStatus,
  replacePasswordHash,
  updateStatus,
} from './repository.js'

export { listOrgs }

export interface NewOrg {
  /** 15 or 18 characters; stored in its 18-character form. */
  orgId: string
  name: string
  signIn?: OrgSignIn
  appLinkAuthorization?: string
}

/** An org and the password of its login, which nothing keeps: shown once, then only its hash remains. */
export interface OrgLogin {
  org: Org
  password: string
}

const MAX_NAME_LENGTH = 255
// The same rule as APPLINK_AUTHORIZATION (applink/config.ts): a developer name of 3 to 30 letters, digits and _.
const AUTHORIZATION_NAME = /^[A-Za-z][A-Za-z0-9_]{2,29}$/

/**
 * The org's basic-auth user name: "org-" and its 18-character Id. One per org and known from the Id alone, so an
 * admin can tell whose login a Named Credential holds; without a colon, which basic auth splits on.
 */
export const usernameFor = (orgId18: string) => `org-${orgId18}`

function checkedName(name: string): string {
  const trimmed = name.trim()
  if (trimmed === '') throw new OrgSettingInvalid('the org needs a name (--name).')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new OrgSettingInvalid('the org name is one line of text.')
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new OrgSettingInvalid(`the org name has ${trimmed.length} characters; at most ${MAX_NAME_LENGTH}.`)
  }
  return trimmed
}

/** Any http(s) URL, as SF_LOGIN_URL takes it (an emulator on http://127.0.0.1 included). */
function checkedSignIn(signIn: OrgSignIn): OrgSignIn {
  const { loginUrl, username, consumerKey } = signIn
  if (!/^https?:\/\//.test(loginUrl) || !URL.canParse(loginUrl)) {
    throw new OrgSettingInvalid(
      `login URL ${JSON.stringify(loginUrl)} is not an http(s) URL such as https://login.salesforce.com.`,
    )
  }
  if (username.trim() === '') throw new OrgSettingInvalid('the integration user name is empty.')
  if (consumerKey.trim() === '') throw new OrgSettingInvalid('the consumer key is empty.')
  return { loginUrl, username: username.trim(), consumerKey: consumerKey.trim() }
}

function checkedAuthorization(name: string): string {
  if (!AUTHORIZATION_NAME.test(name)) {
    throw new OrgSettingInvalid(
      `AppLink authorization ${JSON.stringify(name)} is not a developer name: 3 to 30 letters, digits and _, starting with a letter.`,
    )
  }
  return name
}

export async function addOrg(db: Database, input: NewOrg): Promise<OrgLogin> {
  const orgId = toOrgId18(input.orgId)
  const name = checkedName(input.name)
  const signIn = input.signIn && checkedSignIn(input.signIn)
  const appLinkAuthorization = input.appLinkAuthorization && checkedAuthorization(input.appLinkAuthorization)
  const password = randomPassword()
  const now = new Date().toISOString()
  const org = await insertOrg(db.kysely, {
    org_id: orgId,
    name,
    status: 'active',
    username: usernameFor(orgId),
    password_hash: await hashPassword(password),
    password_set_at: now,
    login_url: signIn?.loginUrl ?? null,
    sf_username: signIn?.username ?? null,
    consumer_key: signIn?.consumerKey ?? null,
    applink_authorization: appLinkAuthorization ?? null,
    created_at: now,
    updated_at: now,
  })
  if (!org) throw new OrgExists(orgId)
  return { org, password }
}

/** A new password for the org's login; the one before stops working at once. */
export async function rotateOrgPassword(db: Database, orgIdInput: string): Promise<OrgLogin> {
  const orgId = toOrgId18(orgIdInput)
  const password = randomPassword()
  const org = await replacePasswordHash(db.kysely, orgId, await hashPassword(password))
  if (!org) throw new OrgNotFound(orgId)
  return { org, password }
}

/** `changed` is false when the org had that status already (nothing is written then). */
export async function setOrgStatus(
  db: Database,
  orgIdInput: string,
  status: OrgStatus,
): Promise<{ org: Org; changed: boolean }> {
  const orgId = toOrgId18(orgIdInput)
  const before = await findOrg(db.kysely, orgId)
  if (!before) throw new OrgNotFound(orgId)
  if (before.status === status) return { org: before, changed: false }
  const org = await updateStatus(db.kysely, orgId, status)
  if (!org) throw new OrgNotFound(orgId)
  return { org, changed: true }
}

/**
 * The active org whose login this is, or undefined: an unknown user name, a wrong password (the one before a
 * rotation included) and a disabled org are all refused alike. Only a registered, active login pays for the slow
 * hash: anyone may send any user name, and a hash computed for each stranger would let them spend this dyno's CPU at
 * will (about 250 ms a check). Which org Ids are registered is no secret worth that price: a login's user name is its
 * org's Id.
 */
export async function verifyOrgLogin(db: Database, username: string, password: string): Promise<Org | undefined> {
  if (!ORG_LOGIN.test(username)) return undefined
  const login = await findLogin(db.kysely, username)
  if (login?.org.status !== 'active') return undefined
  return (await passwordMatches(password, login.passwordHash)) ? login.org : undefined
}

/** The shape of every login usernameFor makes: anything else is no org's login, and costs no query. */
const ORG_LOGIN = /^org-00D[A-Za-z0-9]{15}$/
