// A loopback Salesforce: JWT bearer token endpoint, the REST resources the service uses, and fault injection, for one
// org or several (each with its own org Id, users, records, limits and failures).
import formbody from '@fastify/formbody'
import { registerAdmin } from './admin.js'
import { registerIdentity } from './identity.js'
import { OrgRegistry } from './org-registry.js'
import { createServer, listen } from './server.js'
import { startOrg } from './start-org.js'
import { registerTokenEndpoint } from './token-endpoint.js'
import type { EmulatorOptions, SalesforceEmulator } from './types.js'

export { generateKeyPair } from './keys.js'
export type * from './types.js'

const ADMIN_PREFIX = '/__emulator'

/**
 * Two kinds of host, as in Salesforce: one login host for every org (token endpoint, identity URLs, and the emulator's
 * own /__emulator controls), and each org's instance host named by its tokens' instance_url (the REST API; see
 * org-registry.ts). A client that sends a REST call to its login URL gets a 404, as it would from login.salesforce.com.
 * The options describe the first org, which the returned emulator's own methods act on; addOrg adds the others.
 */
export async function startSalesforceEmulator(options: EmulatorOptions): Promise<SalesforceEmulator> {
  const orgs = new OrgRegistry(options.audiences ?? ['https://login.salesforce.com', 'https://test.salesforce.com'])
  const login = await createServer()
  await login.register(formbody)
  registerTokenEndpoint(login, orgs)
  registerIdentity(login, orgs)
  await login.register(async (admin) => registerAdmin(admin, orgs), { prefix: ADMIN_PREFIX })
  orgs.loginUrl = await listen(login, options.port)
  if (!options.audiences) orgs.audiences.push(orgs.loginUrl)

  const closers: (() => Promise<void>)[] = [() => login.close()]
  const addOrg = async (orgOptions: Parameters<SalesforceEmulator['addOrg']>[0]) => {
    const { org, close } = await startOrg(orgs, orgOptions)
    closers.push(close)
    return org.handle
  }
  const first = await addOrg(options)

  return {
    ...first,
    url: orgs.loginUrl,
    addOrg,
    orgs: () => orgs.all().map((org) => org.handle),
    onRecordChange: (listener) => orgs.onRecordChange(listener),
    close: async () => {
      await Promise.all(closers.map((close) => close()))
    },
  }
}
