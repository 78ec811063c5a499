// Which orgs flowcart publishes stock events to, and how it signs in to each: the default org of the single-org
// configuration, and every active org of the registry that has a way in for this mode. An org of the registry without
// one is served (its login works, its orders are its own) but gets no events; the status page says so.

import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import { listOrgs, type Org } from '../orgs/repository.js'
import type { SalesforceConfig } from '../salesforce/config.js'
import { DEFAULT_ORG_KEY } from '../salesforce/product-ids.js'
import { deriveAudience, type SalesforceSettings } from '../salesforce/settings.js'

/** How flowcart signs in to an org to publish: its own JWT bearer sign-in, or an AppLink authorization. */
export type PublishPath = 'jwt' | 'applink' | 'none'

export type PublishTarget =
  | { orgKey: string; name: string; via: 'jwt'; settings: SalesforceSettings }
  | { orgKey: string; name: string; via: 'applink'; authorization: string }

/**
 * How flowcart publishes to a registry org in this mode: basic mode signs in with the org's login URL, consumer key
 * and user and the shared SF_PRIVATE_KEY; AppLink mode reads the org's own AppLink authorization. A disabled org gets
 * nothing.
 */
export function publishPathOf(org: Org, config: SalesforceConfig | undefined, appLinkMode: boolean): PublishPath {
  if (org.status !== 'active' || !config) return 'none'
  if (appLinkMode) return org.appLinkAuthorization ? 'applink' : 'none'
  return org.signIn && config.privateKey ? 'jwt' : 'none'
}

export function publishTargets(orgs: Org[], config: SalesforceConfig, appLinkMode: boolean): PublishTarget[] {
  const targets: PublishTarget[] = []
  if (config.jwt) targets.push({ orgKey: DEFAULT_ORG_KEY, name: 'default', via: 'jwt', settings: config.jwt })
  if (appLinkMode && config.appLinkAuthorization) {
    targets.push({
      orgKey: DEFAULT_ORG_KEY,
      name: 'default',
      via: 'applink',
      authorization: config.appLinkAuthorization,
    })
  }
  for (const org of orgs) {
    const path = publishPathOf(org, config, appLinkMode)
    if (path === 'applink' && org.appLinkAuthorization) {
      targets.push({ orgKey: org.orgId, name: org.name, via: 'applink', authorization: org.appLinkAuthorization })
    } else if (path === 'jwt' && org.signIn && config.privateKey) {
      const { loginUrl, username, consumerKey } = org.signIn
      targets.push({
        orgKey: org.orgId,
        name: org.name,
        via: 'jwt',
        settings: {
          loginUrl,
          username,
          consumerKey,
          privateKey: config.privateKey,
          audience: deriveAudience(loginUrl),
          ...config.api,
        },
      })
    }
  }
  return targets
}

/** Two targets sign in the same way: a publisher made for one serves the other. */
export function sameWayIn(a: PublishTarget, b: PublishTarget): boolean {
  if (a.via === 'applink' || b.via === 'applink') {
    return a.via === 'applink' && b.via === 'applink' && a.authorization === b.authorization
  }
  return (
    a.settings.loginUrl === b.settings.loginUrl &&
    a.settings.username === b.settings.username &&
    a.settings.consumerKey === b.settings.consumerKey
  )
}

/** Whether flowcart publishes to any org now (a one-off command records stock changes only then). */
export async function publishesToAnyOrg(
  db: Kysely<Tables>,
  config: SalesforceConfig | undefined,
  appLinkMode: boolean,
): Promise<boolean> {
  return config !== undefined && publishTargets(await listOrgs(db), config, appLinkMode).length > 0
}
