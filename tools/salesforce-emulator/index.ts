// A loopback Salesforce: JWT bearer token endpoint, the REST resources the service uses, and fault injection.
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import { registerAdmin } from './admin.js'
import { createControls } from './controls.js'
import { registerIdentity } from './identity.js'
import { limitRequestSize } from './request-size.js'
import { REST_PREFIX, restApi } from './rest-api.js'
import { EmulatorState } from './state.js'
import { registerTokenEndpoint, type TokenSettings } from './token-endpoint.js'
import type { EmulatorOptions, SalesforceEmulator } from './types.js'

export { generateKeyPair } from './keys.js'
export type * from './types.js'

const DEFAULT_API_LIMIT = 15_000
const ADMIN_PREFIX = '/__emulator'
// Node's own limit is 16 KB for the request line and headers together, and it answers 431 itself, even for a long URI;
// raised so that the emulator applies Salesforce's rule instead (request-size.ts).
const NODE_HEADER_BYTES = 64 * 1024

/** One server of the emulator: the login host or the instance host, both with the same fidelity rules. */
async function createServer(state: EmulatorState): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    http: { maxHeaderSize: NODE_HEADER_BYTES },
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  })
  limitRequestSize(app)
  // After the body is read, like a slow Salesforce: a caller that gives up still has its request applied.
  app.addHook('preHandler', async (request) => {
    if (state.latencyMs > 0 && !request.url.startsWith(ADMIN_PREFIX)) await sleep(state.latencyMs)
  })
  return app
}

async function listen(app: FastifyInstance, port = 0): Promise<string> {
  await app.listen({ host: '127.0.0.1', port })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

/**
 * Two hosts, as in a real org: the login host (token endpoint, identity URLs, and the emulator's own /__emulator
 * controls) and the instance host named by the token's instance_url (the REST API). A client that sends a REST call
 * to its login URL gets a 404, as it would from login.salesforce.com.
 */
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

  const login = await createServer(state)
  await login.register(formbody)
  registerTokenEndpoint(login, state, settings)
  registerIdentity(login, state, options.username)
  await login.register(async (admin) => registerAdmin(admin, state, controls), { prefix: ADMIN_PREFIX })
  const instance = await createServer(state)
  await instance.register(restApi(state), { prefix: REST_PREFIX })

  state.loginUrl = await listen(login, options.port)
  state.instanceUrl = await listen(instance)
  if (!options.audiences) settings.audiences.push(state.loginUrl)

  return {
    url: state.loginUrl,
    instanceUrl: state.instanceUrl,
    close: async () => {
      await Promise.all([login.close(), instance.close()])
    },
    ...controls,
  }
}
