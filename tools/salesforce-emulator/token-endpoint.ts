// POST /services/oauth2/token: the OAuth 2.0 JWT bearer grant, with Salesforce's error codes and success shape.
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyReply } from 'fastify'
import jwt, { type JwtPayload } from 'jsonwebtoken'
import { identityUrl } from './identity.js'
import type { OrgCredentials, OrgRegistry } from './org-registry.js'
import type { TokenError } from './types.js'
import { sendJson } from './wire.js'

export const TOKEN_PATH = '/services/oauth2/token'
export const TOKEN_ENDPOINT = `POST ${TOKEN_PATH}`
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/**
 * Salesforce wants `exp` "within 3 minutes" (OAuth 2.0 JWT Bearer Flow, https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm);
 * a few seconds more for clocks that differ. A user report has 5 minutes accepted (simple-salesforce#491): the
 * emulator holds to the documented limit, so a client that stays within it works either way.
 */
const MAX_EXP_AHEAD_SECONDS = 180 + 5

const refuse = (error: string, error_description: string): TokenError => ({ error, error_description })

function sendTokenJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return sendJson(reply.header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private'), status, body)
}

// The app is found by `iss` before its certificate can check the signature, so an unknown iss wins over a bad one.
function checkAssertion(assertion: unknown, settings: OrgCredentials, audiences: string[]): TokenError | undefined {
  const decoded = typeof assertion === 'string' ? jwt.decode(assertion) : null
  if (!decoded || typeof decoded !== 'object') return refuse('invalid_grant', 'invalid assertion')
  if (decoded.iss !== settings.consumerKey) return refuse('invalid_client_id', 'client identifier invalid')
  let claims: JwtPayload
  try {
    claims = jwt.verify(assertion as string, settings.publicKey, {
      algorithms: ['RS256'],
      ignoreExpiration: true,
    }) as JwtPayload
  } catch {
    return refuse('invalid_grant', 'invalid assertion')
  }
  // `prn` is the pre-2012 name of `sub`; Salesforce still honours it and prefers it.
  const subject = claims.prn ?? claims.sub
  if (subject !== settings.username) return refuse('invalid_grant', "user hasn't approved this consumer")
  const claimed = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!claimed.some((aud) => typeof aud === 'string' && audiences.includes(aud))) {
    return refuse('invalid_grant', 'audience is invalid')
  }
  const now = Math.floor(Date.now() / 1000)
  if (typeof claims.exp !== 'number' || claims.exp <= now) return refuse('invalid_grant', 'expired authorization code')
  if (claims.exp > now + MAX_EXP_AHEAD_SECONDS) return refuse('invalid_grant', 'invalid assertion')
  return undefined
}

/** The org a request is for counts it, delays it and applies its injected failures: another org never sees it. */
export function registerTokenEndpoint(app: FastifyInstance, orgs: OrgRegistry): void {
  app.post(TOKEN_PATH, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const { state, credentials } = orgs.forAssertion(body.assertion)
    if (state.latencyMs > 0) await sleep(state.latencyMs)
    state.countTokenRequest(TOKEN_ENDPOINT)
    const injected = state.tokenFailures.shift() ?? state.tokenRefusal
    if (injected) return sendTokenJson(reply, 400, injected)
    if (body.grant_type !== JWT_BEARER) {
      return sendTokenJson(reply, 400, refuse('unsupported_grant_type', 'grant type not supported'))
    }
    const refused = checkAssertion(body.assertion, credentials, orgs.audiences)
    if (refused) return sendTokenJson(reply, 400, refused)
    // The token belongs to this org alone: only its instance host knows it.
    const accessToken = state.issueToken(state.userId)
    return sendTokenJson(reply, 200, {
      access_token: accessToken,
      scope: 'api',
      instance_url: state.instanceUrl,
      id: identityUrl(orgs.loginUrl, state),
      token_type: 'Bearer',
    })
  })
}
