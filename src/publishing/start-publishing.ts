// The publishing to every org, loaded only when Salesforce is configured, and in step with the registry before the
// first request (so the first stock change is recorded when any org is to receive it).
import { createOrgPublishing, type OrgPublishingOptions } from './org-publishing.js'

export async function startPublishing(options: OrgPublishingOptions) {
  const publishing = createOrgPublishing(options)
  await publishing.refresh()
  return publishing
}
