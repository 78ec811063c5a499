// One org of the emulator coming to life: its state and seeded records, its controls, and its own instance host.
import { createControls } from './controls.js'
import { realmOf } from './ids.js'
import type { Org, OrgRegistry } from './org-registry.js'
import { OrgState } from './org-state.js'
import { REST_PREFIX, restApi } from './rest-api.js'
import { createServer, listen } from './server.js'
import type { OrgOptions } from './types.js'

const DEFAULT_API_LIMIT = 15_000

/** Joins `orgs` before its host listens, so that orgs added at the same time still get Ids of their own. */
export async function startOrg(
  orgs: OrgRegistry,
  options: OrgOptions,
): Promise<{ org: Org; close: () => Promise<void> }> {
  const { orgId, consumerKey, username, publicKey } = options
  const state = new OrgState({
    realm: realmOf(orgs.nextIndex(options)),
    apiLimit: options.apiLimit ?? DEFAULT_API_LIMIT,
    ...(orgId ? { orgId } : {}),
    ...(options.eventTypes ? { eventTypes: options.eventTypes } : {}),
  })
  // Seeded records (products and their standard prices) were there before anyone listened: they make no change events.
  if (options.products) state.addProducts(options.products)
  state.changeListener = (change) => orgs.emitChange(state.organizationId, change)
  const handle = {
    orgId: state.organizationId,
    instanceUrl: '',
    username,
    consumerKey,
    standardPricebookId: state.standardPricebookId,
    ...createControls(state),
  }
  const org: Org = { state, credentials: { consumerKey, username, publicKey }, handle }
  orgs.add(org)
  const instance = await createServer(() => state.latencyMs)
  await instance.register(restApi(state), { prefix: REST_PREFIX })
  state.instanceUrl = await listen(instance)
  handle.instanceUrl = state.instanceUrl
  return { org, close: () => instance.close() }
}
