// AppLink mode's authentication: every business request names its org and invoking user in x-client-context, which
// Heroku AppLink's service mesh has checked before forwarding (the app listens on loopback behind it, so nothing else
// can reach it). The header is decoded with @heroku/applink and its fields checked before anything trusts them.
import type { FastifyInstance } from 'fastify'
import { HttpError } from '../http/http-error.js'
import type { UserSession } from '../salesforce/user-session.js'
import type { OrgOriginCheck } from './org-url.js'
import type { AppLinkSdk } from './sdk.js'

/**
 * Who called, as AppLink says: the org, the user who ran the Flow (or Apex, or agent), and that user's session (its
 * access token and the org's My Domain URL), with which the Salesforce calls made for the request act as that user.
 */
export interface Invoker extends UserSession {
  userId: string
  username: string
  apiVersion: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set in AppLink mode only; basic mode never reads x-client-context. */
    invoker?: Invoker
  }
}

// Salesforce record Ids: 15 or 18 letters and digits (an org Id starts 00D, a user Id 005).
const ORG_ID = /^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/
const USER_ID = /^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/
const MAX_HEADER_BYTES = 8 * 1024

function refuse(reason: string): HttpError {
  return new HttpError(401, 'UNAUTHORIZED', `Call this service through Heroku AppLink: ${reason}.`)
}

/** The invoker of a request, or the 401 that says what is wrong with its x-client-context. */
export function invokerOf(headers: Record<string, unknown>, sdk: AppLinkSdk, orgOriginOf: OrgOriginCheck): Invoker {
  const header = headers['x-client-context']
  if (typeof header !== 'string' || header.length === 0) throw refuse('the x-client-context header is missing')
  if (header.length > MAX_HEADER_BYTES) throw refuse('the x-client-context header is too long')
  let org: ReturnType<AppLinkSdk['parseRequest']>['org']
  try {
    org = sdk.parseRequest(headers).org
  } catch {
    throw refuse('the x-client-context header is not a client context')
  }
  const accessToken = org.dataApi.accessToken
  if (!ORG_ID.test(String(org.id)) || !USER_ID.test(String(org.user?.id))) {
    throw refuse('the client context names no org or user')
  }
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw refuse('the client context carries no session')
  }
  // The session goes where the context says the org is: only to Salesforce (or an origin the operator trusts).
  const instanceUrl = orgOriginOf(org.domainUrl)
  if (instanceUrl === undefined) throw refuse('the org URL of the client context is not a Salesforce My Domain')
  return {
    orgId: org.id,
    userId: org.user.id,
    username: String(org.user.username ?? ''),
    accessToken,
    instanceUrl,
    apiVersion: org.apiVersion,
  }
}

/** Installs the check on a plugin's routes. */
export const clientContextAuth = (sdk: AppLinkSdk, orgOriginOf: OrgOriginCheck) => async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request) => {
    request.invoker = invokerOf(request.headers, sdk, orgOriginOf)
  })
}
