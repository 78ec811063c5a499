// A stand-in for the Heroku AppLink add-on's API, for tests and the demo: GET /authorizations/<developer name>, what
// @heroku/applink's getAuthorization() calls with HEROKU_APPLINK_TOKEN and HEROKU_APP_ID
// (heroku/heroku-applink-nodejs, src/add-ons/heroku-applink.ts: Authorization: Bearer <token>, X-App-UUID; the answer's
// org.{id, instance_url, api_version, type, user_auth.{access_token, user_id, username}}, its test fixture in
// test/add-ons/heroku-applink.test.ts). Each authorization is a session the Salesforce emulator opened for its user.
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import type { UserSession } from '../salesforce-emulator/types.js'

export interface AddonApiStandIn {
  /** HEROKU_APPLINK_API_URL */
  url: string
  /** HEROKU_APPLINK_TOKEN */
  token: string
  /** HEROKU_APP_ID */
  appId: string
  /** How often an authorization was read. */
  reads(): number
  close(): Promise<void>
}

export interface AddonApiOptions {
  /** Developer name → the user the authorization signs in as. */
  authorizations: Record<string, string>
  openSession(username: string): UserSession | Promise<UserSession>
  apiVersion: string
}

export async function startAddonApiStandIn(options: AddonApiOptions): Promise<AddonApiStandIn> {
  const token = randomUUID()
  const appId = randomUUID()
  let reads = 0
  const app = Fastify({ logger: false })
  app.get<{ Params: { name: string } }>('/addons/:addon/authorizations/:name', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${token}` || request.headers['x-app-uuid'] !== appId) {
      return reply.code(401).send({ title: 'Unauthorized', detail: 'Invalid add-on token or app UUID' })
    }
    const username = options.authorizations[request.params.name]
    if (!username) {
      return reply.code(404).send({ title: 'Not Found', detail: `Authorization ${request.params.name} not found` })
    }
    reads += 1
    const session = await options.openSession(username)
    return {
      id: randomUUID(),
      status: 'authorized',
      org: {
        id: session.orgId,
        developer_name: request.params.name,
        instance_url: session.instanceUrl,
        api_version: options.apiVersion,
        type: 'SalesforceOrg',
        user_auth: { access_token: session.accessToken, user_id: session.userId, username: session.username },
      },
    }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/addons/${appId}`,
    token,
    appId,
    reads: () => reads,
    close: () => app.close(),
  }
}
