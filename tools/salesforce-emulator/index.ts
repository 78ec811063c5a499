// A loopback Salesforce: JWT bearer token endpoint, the REST resources the service uses, and fault injection.
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import formbody from '@fastify/formbody'
import Fastify from 'fastify'
import { registerAdmin } from './admin.js'
import { createControls } from './controls.js'
import { REST_PREFIX, restApi } from './rest-api.js'
import { EmulatorState } from './state.js'
import { registerTokenEndpoint, type TokenSettings } from './token-endpoint.js'
import type { EmulatorOptions, SalesforceEmulator } from './types.js'

export { generateKeyPair } from './keys.js'
export type * from './types.js'

const DEFAULT_API_LIMIT = 15_000
const ADMIN_PREFIX = '/__emulator'
// A SOQL IN list of a thousand Ids makes a query URL of about 30 KB; Node's default header limit is 16 KB.
const MAX_HEADER_BYTES = 1024 * 1024

export async function startSalesforceEmulator(options: EmulatorOptions): Promise<SalesforceEmulator> {
  const state = new EmulatorState(options.apiLimit ?? DEFAULT_API_LIMIT, options.eventTypes)
  const controls = createControls(state)
  if (options.products) state.addProducts(options.products)
  const settings: TokenSettings = {
    consumerKey: options.consumerKey,
    username: options.username,
    publicKey: options.publicKey,
    audiences: options.audiences ?? ['https://login.salesforce.com', 'https://test.salesforce.com'],
  }

  const app = Fastify({
    logger: false,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  })
  await app.register(formbody)
  // After the body is read, like a slow Salesforce: a caller that gives up still has its request applied.
  app.addHook('preHandler', async (request) => {
    if (state.latencyMs > 0 && !request.url.startsWith(ADMIN_PREFIX)) await sleep(state.latencyMs)
  })
  registerTokenEndpoint(app, state, settings)
  await app.register(restApi(state), { prefix: REST_PREFIX })
  await app.register(async (admin) => registerAdmin(admin, state, controls), { prefix: ADMIN_PREFIX })

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 })
  state.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  if (!options.audiences) settings.audiences.push(state.url)

  return { url: state.url, close: () => app.close(), ...controls }
}
