// Two orgs in one Salesforce emulator, each with its own External Client App, integration user and certificate, and
// plain HTTP helpers that sign in to one of them and call an instance host with a token.
import jwt from 'jsonwebtoken'
import {
  type EmulatorOptions,
  generateKeyPair,
  type OrgOptions,
  type SalesforceEmulator,
  type SalesforceOrg,
  startSalesforceEmulator,
} from '../../tools/salesforce-emulator/index.js'

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const V = '/services/data/v62.0'

/** Who signs in to an org: its app's consumer key, its user, and the private key of the certificate it holds. */
export interface Signer {
  consumerKey: string
  username: string
  privateKey: string
}

export interface TwoOrgs {
  emulator: SalesforceEmulator
  /** The emulator's first org (the emulator's own methods act on it). */
  orgA: SalesforceOrg
  orgB: SalesforceOrg
  signerA: Signer
  signerB: Signer
}

// A 2048-bit pair takes up to half a second: one per org for the whole test file.
const keysA = generateKeyPair()
const keysB = generateKeyPair()

/** The certificates' public keys, as uploaded to each org's External Client App. */
export const PUBLIC_KEYS = { a: keysA.publicKey, b: keysB.publicKey }

export const SIGNER_A: Signer = {
  consumerKey: '3MVG9orgA.consumer.key',
  username: 'integration@org-a.example',
  privateKey: keysA.privateKey,
}
export const SIGNER_B: Signer = {
  consumerKey: '3MVG9orgB.consumer.key',
  username: 'integration@org-b.example',
  privateKey: keysB.privateKey,
}

/** The caller closes `emulator` (which closes both orgs). */
export async function startTwoOrgs(a: Partial<EmulatorOptions> = {}, b: Partial<OrgOptions> = {}): Promise<TwoOrgs> {
  const emulator = await startSalesforceEmulator({
    consumerKey: SIGNER_A.consumerKey,
    username: SIGNER_A.username,
    publicKey: keysA.publicKey,
    ...a,
  })
  const orgB = await emulator.addOrg({
    consumerKey: SIGNER_B.consumerKey,
    username: SIGNER_B.username,
    publicKey: keysB.publicKey,
    ...b,
  })
  return { emulator, orgA: emulator, orgB, signerA: SIGNER_A, signerB: SIGNER_B }
}

export function assertion(signer: Signer, claims: Record<string, unknown> = {}): string {
  const payload = { iss: signer.consumerKey, sub: signer.username, aud: 'https://login.salesforce.com', ...claims }
  return jwt.sign(payload, signer.privateKey, { algorithm: 'RS256', expiresIn: 180 })
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any

export async function requestToken(loginUrl: string, signer: Signer, claims: Record<string, unknown> = {}) {
  const response = await fetch(`${loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: assertion(signer, claims) }),
  })
  return { status: response.status, body: (await response.json()) as Json }
}

/** The access token and instance_url of a successful sign-in. */
export async function signIn(loginUrl: string, signer: Signer): Promise<{ token: string; instanceUrl: string }> {
  const { status, body } = await requestToken(loginUrl, signer)
  if (status !== 200) throw new Error(`Sign-in of ${signer.username} refused: ${JSON.stringify(body)}`)
  return { token: body.access_token, instanceUrl: body.instance_url }
}

/** A REST call to `host`; a `path` without a leading slash is under /services/data/v62.0. */
export async function rest(host: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${host}${path.startsWith('/') ? path : `${V}/${path}`}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Json }
}

export const query = (host: string, token: string, soql: string) =>
  rest(host, token, 'GET', `query?q=${encodeURIComponent(soql)}`)

export const publish = (host: string, token: string, sku: string, quantity: number) =>
  rest(host, token, 'POST', 'composite/sobjects', {
    allOrNone: false,
    records: [{ attributes: { type: 'Inventory_Update__e' }, SKU__c: sku, Qty_In_Stock__c: quantity }],
  })
