// flowcart in AppLink mode, as on a dyno: listening on loopback behind a stand-in of the service mesh, with a
// stand-in of the add-on's API for the event publisher's authorization, both over the Salesforce emulator.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { vi } from 'vitest'
import { buildApp } from '../../src/app.js'
import { DEMO_SKUS } from '../../src/catalog/demo-catalog.js'
import { createLogger } from '../../src/logger.js'
import { DEFAULT_API_VERSION } from '../../src/salesforce/names.js'
import { startAddonApiStandIn } from '../../tools/applink-stand-in/addon-api.js'
import { INVOKING_USER_HEADER, startMeshStandIn } from '../../tools/applink-stand-in/mesh.js'
import { AUTHORIZATION, EVENT_USER, FLOW_USER } from '../../tools/applink-stand-in/users.js'
import { startSalesforceEmulator } from '../../tools/salesforce-emulator/index.js'
import { databaseUrlFor, type EngineName, registerCleanup, testConfig } from '../helper.js'

/** Another org in the same emulator, with an AppLink authorization of its own (as its org Id and user). */
export interface SecondOrg {
  orgId: string
  authorization: string
  user: string
}

export async function startAppLinkTestbed(engine: EngineName, env: Record<string, string> = {}, secondOrg?: SecondOrg) {
  const products = () =>
    DEMO_SKUS.map((sku, index) => ({ Name: `Product ${index + 1}`, ProductCode: sku, IsActive: true }))
  const emulator = await startSalesforceEmulator({
    consumerKey: 'unused-in-applink-mode',
    username: 'integration@flowcart.example',
    publicKey: '',
    products: products(),
  })
  registerCleanup(() => emulator.close())
  const orgB =
    secondOrg &&
    (await emulator.addOrg({
      orgId: secondOrg.orgId,
      consumerKey: 'unused-in-applink-mode-b',
      username: 'integration@org-b.example',
      publicKey: '',
      products: products(),
    }))
  const addon = await startAddonApiStandIn({
    authorizations: {
      [AUTHORIZATION]: EVENT_USER,
      ...(secondOrg ? { [secondOrg.authorization]: secondOrg.user } : {}),
    },
    openSession: (username) =>
      orgB && username === secondOrg?.user ? orgB.openSession(username) : emulator.openSession(username),
    apiVersion: DEFAULT_API_VERSION,
  })
  registerCleanup(() => addon.close())
  const addonVariables = {
    HEROKU_APPLINK_API_URL: addon.url,
    HEROKU_APPLINK_TOKEN: addon.token,
    HEROKU_APP_ID: addon.appId,
  }
  // @heroku/applink's getAuthorization reads the add-on's variables from process.env itself, as on a dyno.
  for (const [name, value] of Object.entries(addonVariables)) vi.stubEnv(name, value)
  registerCleanup(async () => void vi.unstubAllEnvs())
  const config = testConfig({
    DATABASE_URL: await databaseUrlFor(engine),
    ...addonVariables,
    APPLINK_AUTHORIZATION: AUTHORIZATION,
    // The emulator stands in for the org, on loopback over http: trusted here as an operator would list it.
    APPLINK_TRUSTED_ORG_ORIGINS: [emulator.instanceUrl, ...(orgB ? [orgB.instanceUrl] : [])].join(','),
    APP_PORT: '0',
    SF_TIMEOUT_MS: '2000',
    ...env,
  })
  const logs: string[] = []
  const app: FastifyInstance = await buildApp(config, {
    logger: createLogger('debug', { write: (line: string) => logs.push(line) }),
    publisherOptions: { retryBaseMs: 5, retryMaxMs: 20, pollIntervalMs: 60_000 },
  })
  registerCleanup(() => app.close())
  await app.listen({ port: config.port, host: config.host })
  const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const mesh = await startMeshStandIn({ appUrl, openSession: emulator.openSession, apiVersion: DEFAULT_API_VERSION })
  registerCleanup(() => mesh.close())

  /** A request through the mesh, as `user` running a Flow. */
  const call = (path: string, init: RequestInit & { as?: string } = {}) => {
    const { as = FLOW_USER, headers, ...rest } = init
    return fetch(`${mesh.url}${path}`, {
      ...rest,
      headers: { 'content-type': 'application/json', [INVOKING_USER_HEADER]: as, ...headers },
    })
  }
  return { emulator, orgB, addon, app, appUrl, mesh, config, logs, call }
}
