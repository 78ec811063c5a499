// Which org URLs AppLink mode sends a Salesforce token to: a Salesforce My Domain, or an origin the operator listed.
//
// An org's API is on its My Domain, https://<name>.my.salesforce.com, whatever the kind of org. Salesforce's own
// words: "the host name format for a production login URL is MyDomainName.my.salesforce.com, and the host name
// format for a sandbox login URL is MyDomainName--SandboxName.sandbox.my.salesforce.com"
// (https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.domain_name_move.htm), and other kinds of org add their
// partition in front of my.salesforce.com: develop (Developer Edition), scratch, trailblaze (Trailhead Playgrounds),
// demo, patch and free, "MyDomainName.develop.my.salesforce.com" (DomainPartition of OrgDomainLog,
// https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_mydomainlog.htm;
// the patch partition, https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.domain_name_partitioned_domains_patch.htm).
// Enhanced domains, which put every org on these host names, "were enforced in Winter '24"
// (https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.domain_name_plan_prepare.htm), so legacy instance URLs
// (https://na1.salesforce.com) are not accepted. Orgs on other suffixes (Government Cloud Plus - Defense,
// *.my.salesforce.mil; Salesforce on Alibaba Cloud, *.my.sfcrmproducts.cn, both named in forcedotcom/sfdx-core,
// src/util/sfdcUrl.ts) are listed by their operator in APPLINK_TRUSTED_ORG_ORIGINS: whether AppLink serves them
// needs a real org to confirm.

const MY_DOMAIN_SUFFIX = '.my.salesforce.com'
// Letters, digits and hyphens, not first or last: the characters a My Domain name and a sandbox or partition name
// may hold. No IDN (xn--): a My Domain name has none.
const LABEL = /^(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

function isMyDomainHost(host: string): boolean {
  if (!host.endsWith(MY_DOMAIN_SUFFIX)) return false
  const labels = host.slice(0, -MY_DOMAIN_SUFFIX.length).split('.')
  return labels.every((label) => LABEL.test(label))
}

/** `url` as an origin, when it is nothing more than one (no user, path, query or fragment), else undefined. */
export function exactOrigin(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined
  const { origin } = new URL(url)
  // Compared with what was written, so every trick URL parsing would smooth over (a user, a backslash, a default
  // port, a trailing dot, IDN, a path) leaves the value unequal to its origin.
  return url.toLowerCase().replace(/\/$/, '') === origin ? origin : undefined
}

export type OrgOriginCheck = (url: unknown) => string | undefined

/**
 * The check of an org URL: its origin when it is https on a Salesforce My Domain, or one of `trustedOrigins`
 * (exact origins the operator configured); undefined otherwise.
 */
export function orgOriginCheck(trustedOrigins: readonly string[]): OrgOriginCheck {
  const trusted = new Set(trustedOrigins)
  return (url) => {
    const origin = typeof url === 'string' ? exactOrigin(url) : undefined
    if (origin === undefined) return undefined
    if (trusted.has(origin)) return origin
    const { protocol, hostname, port } = new URL(origin)
    return protocol === 'https:' && port === '' && isMyDomainHost(hostname) ? origin : undefined
  }
}
