// What `npm run orgs` prints: for a person, a few lines; with --json, one JSON value and nothing else on stdout, so
// a script can read it (`npm run -s orgs -- add … --json | jq -r .password`). No form holds a password hash, and
// only add and rotate hold a password: the new one, printed this once.
import type { Org } from './repository.js'
import type { OrgLogin } from './service.js'

/** add and rotate with --json: exactly this object. */
export const loginJson = ({ org, password }: OrgLogin) =>
  JSON.stringify({ orgId: org.orgId, username: org.username, password })

export function loginText({ org, password }: OrgLogin, what: 'added' | 'rotated'): string {
  const headline =
    what === 'added'
      ? `Added org ${org.orgId} (${org.name}) with a login of its own.`
      : `New password for org ${org.orgId} (${org.name}); the one before no longer works.`
  return [
    headline,
    'Shown this once: flowcart keeps only a hash of the password.',
    `  user name: ${org.username}`,
    `  password:  ${password}`,
    "Enter both in that org's Named Credential principal: Setup → Named Credentials → External Credentials →",
    '  Flowcart → Principals → FlowcartPrincipal → Edit (salesforce/README.md, step 5).',
    "Calls with this login act for this org: its orders are its own, and it sees no other org's.",
  ].join('\n')
}

/** How flowcart reaches the org's Salesforce, if it can. */
function reach(org: Org): string {
  const ways = [
    ...(org.signIn ? [`sign-in as ${org.signIn.username} (${org.signIn.loginUrl})`] : []),
    ...(org.appLinkAuthorization ? [`AppLink authorization ${org.appLinkAuthorization}`] : []),
  ]
  return ways.length > 0 ? ways.join('; ') : 'none'
}

export function listJson(orgs: Org[]): string {
  return JSON.stringify(
    orgs.map((org) => ({
      orgId: org.orgId,
      name: org.name,
      status: org.status,
      username: org.username,
      passwordSetAt: org.passwordSetAt,
      signIn: org.signIn ? { loginUrl: org.signIn.loginUrl, username: org.signIn.username } : null,
      appLinkAuthorization: org.appLinkAuthorization ?? null,
      createdAt: org.createdAt,
    })),
  )
}

export function listText(orgs: Org[]): string {
  if (orgs.length === 0) return 'No orgs registered: add one with npm run orgs -- add --org-id <org Id> --name <name>.'
  const rows = [
    ['org Id', 'status', 'user name', 'name', 'Salesforce'],
    ...orgs.map((org) => [org.orgId, org.status, org.username, org.name, reach(org)]),
  ]
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export function statusText(org: Org, changed: boolean): string {
  if (!changed) return `Org ${org.orgId} (${org.name}) is ${org.status} already.`
  return org.status === 'disabled'
    ? `Disabled org ${org.orgId} (${org.name}): within 5 s its login is refused and it gets no stock events, until it is enabled again.`
    : `Enabled org ${org.orgId} (${org.name}): within 5 s its login is accepted again, and it gets the stock changes made from then on.`
}
