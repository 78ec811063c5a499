// A stand-in for Heroku AppLink's service mesh, for tests and the demo: a proxy in front of the app that forwards
// every request with an x-client-context, as the mesh does once AppLink has authenticated the caller
// (https://devcenter.heroku.com/articles/working-with-heroku-applink; the mesh binds $PORT and forwards to
// 127.0.0.1:$APP_PORT, heroku/heroku-buildpack-heroku-applink-service-mesh README).
//
// What stands in for the Salesforce side: the caller names the invoking user in `x-stand-in-user`, the way AppLink's
// signed request context names them; the real mesh refuses a request whose context it cannot verify, and this one
// refuses a request that names nobody. Either way a client's own x-client-context never reaches the app: the mesh
// replaces it with the context of a session the Salesforce emulator opened for that user.
import { createServer, request as forward, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { UserSession } from '../salesforce-emulator/types.js'

export const INVOKING_USER_HEADER = 'x-stand-in-user'
/** The mesh's own health check, let through without authentication. */
const HEALTH_CHECK_PATH = '/healthcheck'
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']

export interface MeshStandIn {
  url: string
  close(): Promise<void>
}

export interface MeshOptions {
  /** Where the app listens, e.g. http://127.0.0.1:3000. */
  appUrl: string
  /** Opens a session of a user of the org (the emulator's openSession). */
  openSession(username: string): UserSession | Promise<UserSession>
  apiVersion: string
  /** Default: any free port. */
  port?: number
}

/** The header AppLink sends: base64 of the JSON the @heroku/applink SDK decodes (heroku/heroku-applink-nodejs, src/index.ts). */
export function clientContextHeader(session: UserSession, apiVersion: string, requestId: string): string {
  const context = {
    requestId,
    accessToken: session.accessToken,
    apiVersion,
    namespace: '',
    orgId: session.orgId,
    orgDomainUrl: session.instanceUrl,
    userContext: { userId: session.userId, username: session.username },
  }
  return Buffer.from(JSON.stringify(context)).toString('base64')
}

function forwardedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept = { ...headers }
  for (const name of [...HOP_BY_HOP, 'x-client-context', INVOKING_USER_HEADER, 'authorization']) delete kept[name]
  return kept
}

export async function startMeshStandIn(options: MeshOptions): Promise<MeshStandIn> {
  const target = new URL(options.appUrl)
  const sessions = new Map<string, UserSession>()
  let requests = 0

  const server: Server = createServer(async (incoming, outgoing) => {
    const headers = forwardedHeaders(incoming.headers)
    const path = incoming.url ?? '/'
    if (path.split('?')[0] !== HEALTH_CHECK_PATH) {
      const username = incoming.headers[INVOKING_USER_HEADER]
      if (typeof username !== 'string' || username === '') {
        incoming.resume()
        outgoing.writeHead(401, { 'content-type': 'application/json' })
        outgoing.end(JSON.stringify({ message: 'Unauthorized: no AppLink request context' }))
        return
      }
      let session = sessions.get(username)
      if (!session) {
        session = await options.openSession(username)
        sessions.set(username, session)
      }
      requests += 1
      headers['x-client-context'] = clientContextHeader(session, options.apiVersion, `mesh-${requests}`)
    }
    const proxied = forward(
      { host: target.hostname, port: target.port, method: incoming.method, path, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    proxied.on('error', () => {
      outgoing.writeHead(502, { 'content-type': 'application/json' })
      outgoing.end(JSON.stringify({ message: 'Bad gateway: the app did not answer' }))
    })
    incoming.pipe(proxied)
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
