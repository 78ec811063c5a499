// GET /id/<org>/<user> on the login host: the identity URL a token response names. Salesforce serves it on the login
// host whatever the instance ("The format of the URL is https://login.salesforce.com/id/orgID/userID",
// https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-using-identity-urls.html).
import type { FastifyInstance } from 'fastify'
import type { EmulatorState } from './state.js'
import { sendJson } from './wire.js'

export const identityPath = (state: EmulatorState) => `/id/${state.organizationId}/${state.userId}`

export function registerIdentity(app: FastifyInstance, state: EmulatorState, username: string): void {
  app.get<{ Params: { org: string; user: string } }>('/id/:org/:user', async (request, reply) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
    const known = request.params.org === state.organizationId && request.params.user === state.userId
    if (!token || !state.tokens.has(token) || !known) return reply.code(403).type('text/plain').send('Bad_OAuth_Token')
    return sendJson(reply, 200, {
      id: `${state.loginUrl}${identityPath(state)}`,
      asserted_user: true,
      user_id: state.userId,
      organization_id: state.organizationId,
      username,
      urls: { rest: `${state.instanceUrl}/services/data/v{version}/` },
    })
  })
}
