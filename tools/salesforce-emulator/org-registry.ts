// The orgs one emulator hosts, and which of them a token request or an identity URL is for.
//
// Salesforce has one login host for every org (login.salesforce.com, test.salesforce.com), and "All Salesforce orgs
// have a My Domain, an org-specific subdomain for the URLs that Salesforce hosts for that org"
// (https://developer.salesforce.com/docs/platform/pkg2-dev/guide/packaging-instanceless-url.html): the token response
// names it as instance_url. The emulator does the same: one login URL, and a port of its own for each
// org's REST API, so a token sent to another org's instance host finds no session there (401 INVALID_SESSION_ID).
import jwt from 'jsonwebtoken'
import { idKey, isWellFormedId, KEY_PREFIX, MAX_ORGS } from './ids.js'
import type { OrgState } from './org-state.js'
import type { OrgOptions, RecordChange, RecordChangeListener, SalesforceOrg } from './types.js'

/** Who may sign in to an org with the JWT bearer flow. */
export interface OrgCredentials {
  consumerKey: string
  username: string
  publicKey: string
}

export interface Org {
  state: OrgState
  credentials: OrgCredentials
  handle: SalesforceOrg
}

export class OrgRegistry {
  /** Where the token endpoint and the identity URLs are, like login.salesforce.com. */
  loginUrl = ''
  private readonly orgs: Org[] = []
  private readonly changeListeners = new Set<RecordChangeListener>()

  /** `audiences`: the `aud` values every org accepts (they name the login host, not an org). */
  constructor(readonly audiences: string[]) {}

  get first(): Org {
    const [first] = this.orgs
    if (!first) throw new Error('The emulator has no org yet')
    return first
  }

  all(): Org[] {
    return [...this.orgs]
  }

  /** The index the next org gets (its Ids' realm), after checking that `options` may join the others. */
  nextIndex(options: OrgOptions): number {
    if (this.orgs.length >= MAX_ORGS) throw new Error(`At most ${MAX_ORGS} orgs`)
    const { orgId, username } = options
    if (orgId !== undefined && !(isWellFormedId(orgId) && orgId.startsWith(KEY_PREFIX.organization))) {
      throw new Error(`Not an org Id (15 or 18 characters, starting with 00D): ${orgId}`)
    }
    if (orgId !== undefined && this.byId(orgId)) throw new Error(`Duplicate org Id: ${orgId}`)
    // "Your username must be unique across all Salesforce orgs" (https://help.salesforce.com/s/articleView?id=000385306&type=1),
    // and not case-sensitive: the JWT's `sub` alone can name the org.
    if (this.orgs.some((org) => org.credentials.username.toLowerCase() === username.toLowerCase())) {
      throw new Error(`Duplicate username: ${username} already belongs to another org`)
    }
    return this.orgs.length
  }

  add(org: Org): void {
    this.orgs.push(org)
  }

  onRecordChange(listener: RecordChangeListener): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  emitChange(orgId: string, change: RecordChange): void {
    for (const listener of this.changeListeners) listener(orgId, change)
  }

  /** The org of a 15- or 18-character Id. */
  byId(orgId: string): Org | undefined {
    return this.orgs.find((org) => idKey(org.state.organizationId) === idKey(orgId))
  }

  /**
   * The org a JWT bearer assertion asks to sign in to, read before its signature is checked: among the orgs whose
   * External Client App has the consumer key `iss` (one packaged app may be installed in several), the one whose
   * user is `sub`. An assertion that names no org's app goes to the first org, which refuses it as before.
   */
  forAssertion(assertion: unknown): Org {
    const claims = typeof assertion === 'string' ? jwt.decode(assertion) : null
    if (!claims || typeof claims !== 'object') return this.first
    const subject = claims.prn ?? claims.sub
    const apps = this.orgs.filter((org) => org.credentials.consumerKey === claims.iss)
    return apps.find((org) => org.credentials.username === subject) ?? apps[0] ?? this.first
  }
}
