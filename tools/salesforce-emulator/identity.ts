// GET /id/<org>/<user> on the login host: the identity URL a token response names. Salesforce serves it on the login
// host whatever the org: "The format of the URL is https://login.salesforce.com/id/orgID/userID, where orgId is the ID
// of the Salesforce org that the user belongs to and userID is the Salesforce user ID"
// (https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-using-identity-urls.html).
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import type { OrgRegistry } from './org-registry.js'
import type { OrgState } from './org-state.js'
import { sendJson } from './wire.js'

export const identityUrl = (loginUrl: string, state: OrgState) =>
  `${loginUrl}/id/${state.organizationId}/${state.userId}`

/** Answers with a token of the org the URL names, for its integration user only. */
export function registerIdentity(app: FastifyInstance, orgs: OrgRegistry): void {
  app.get<{ Params: { org: string; user: string } }>('/id/:org/:user', async (request, reply) => {
    const org = orgs.byId(request.params.org)
    if (org && org.state.latencyMs > 0) await sleep(org.state.latencyMs)
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
    const state = org?.state
    const known = state && request.params.org === state.organizationId && request.params.user === state.userId
    if (!token || !known || !state.tokens.has(token)) {
      return reply.code(403).type('text/plain').send('Bad_OAuth_Token')
    }
    return sendJson(reply, 200, {
      id: identityUrl(orgs.loginUrl, state),
      asserted_user: true,
      user_id: state.userId,
      organization_id: state.organizationId,
      username: org.credentials.username,
      urls: { rest: `${state.instanceUrl}/services/data/v{version}/` },
    })
  })
}
