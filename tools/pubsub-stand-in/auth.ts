// Which org and user a call is for, from its metadata, checked against the emulator's sessions of that org.
import type { Metadata } from '@grpc/grpc-js'
import type { SalesforceEmulator, SalesforceOrg } from '../salesforce-emulator/types.js'

export interface Caller {
  org: SalesforceOrg
  userId: string
}

const header = (metadata: Metadata, name: string) => {
  const [value] = metadata.get(name)
  return typeof value === 'string' ? value : undefined
}

// Ids compare on their case-sensitive 15-character form.
const sameId = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15)

/**
 * "accesstoken", "instanceurl" and "tenantid" (the org Id; `core/<subdomain>/<orgId>` is accepted too) on every call
 * (pubsub_api.proto, service comment; Pub/Sub API guide, supported-auth.html). Undefined when any is missing or wrong.
 */
export function authenticate(emulator: SalesforceEmulator, metadata: Metadata): Caller | undefined {
  const accessToken = header(metadata, 'accesstoken')
  const instanceUrl = header(metadata, 'instanceurl')?.replace(/\/+$/, '')
  const tenantId = header(metadata, 'tenantid')?.split('/').pop()
  if (!accessToken || !instanceUrl || !tenantId) return undefined
  const org = emulator.orgs().find((candidate) => sameId(candidate.orgId, tenantId))
  if (!org || org.instanceUrl !== instanceUrl) return undefined
  const userId = org.sessionUserId(accessToken)
  return userId ? { org, userId } : undefined
}
