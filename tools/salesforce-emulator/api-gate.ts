// What every REST call passes before its resource: counting, injected outages and faults, the session, the daily limit.
import { randomInt } from 'node:crypto'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { newWriter, restOrigin, type Writer } from './changes.js'
import type { OrgState } from './org-state.js'
import type { ApiFailure } from './types.js'
import { ApiError, NOT_FOUND_MESSAGE, sendApiError } from './wire.js'

/** Route config naming the endpoint for the counters; a function when a path parameter belongs in the name. */
export interface EndpointConfig {
  endpoint?: string | ((params: Record<string, string>) => string)
}

declare module 'fastify' {
  interface FastifyContextConfig extends EndpointConfig {}
  interface FastifyRequest {
    /** The user whose session the request's access token is, and the transaction its record writes share. */
    writer: Writer
  }
}

const SESSION = /^(?:Bearer|OAuth)\s+(\S+)$/i
const VERSION = /^\/services\/data\/(v\d+\.\d)\//

function endpointOf(request: FastifyRequest): string {
  const { endpoint } = (request.routeOptions.config ?? {}) as EndpointConfig
  if (typeof endpoint === 'function') return `${request.method} ${endpoint(request.params as Record<string, string>)}`
  if (endpoint) return `${request.method} ${endpoint}`
  const path = (request.url.split('?')[0] ?? '').replace(/^\/services\/data\/?(v[^/]*\/?)?/, '')
  return `${request.method} ${path || '/'}`
}

const sendUnavailable = (reply: FastifyReply) =>
  sendApiError(reply, 503, 'SERVER_UNAVAILABLE', 'The server is temporarily unavailable. Try again later.')

function sendFailure(reply: FastifyReply, failure: ApiFailure): FastifyReply {
  if (failure === 'limit') return sendApiError(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
  if (failure === 'server-error') {
    const errorId = `${randomInt(1e9)}-${randomInt(1e5)} (${-randomInt(1e9)})`
    const message = `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`
    return sendApiError(reply, 500, 'UNKNOWN_EXCEPTION', message)
  }
  return sendUnavailable(reply)
}

/**
 * Installs the gate on the REST plugin. Outages and injected faults answer before the session is looked at, and every
 * call that reaches the REST API is counted, the failed ones too, so a client's retries show in the counters.
 */
export function installApiGate(app: FastifyInstance, state: OrgState): void {
  app.decorateRequest('writer', undefined as unknown as Writer)
  app.addHook('onRequest', async (request, reply) => {
    state.countApiCall(endpointOf(request))
    if (state.down) return sendUnavailable(reply)
    const failure = state.apiFailures.shift()
    if (failure) return sendFailure(reply, failure)
    const token = SESSION.exec(request.headers.authorization ?? '')?.[1]
    const userId = token === undefined ? undefined : state.tokens.get(token)
    if (!userId) {
      return sendApiError(
        reply.header('www-authenticate', 'Token'),
        401,
        'INVALID_SESSION_ID',
        'Session expired or invalid',
      )
    }
    const version = VERSION.exec(request.url)?.[1] ?? ''
    const callOptions = request.headers['sforce-call-options']
    request.writer = newWriter(userId, restOrigin(version, typeof callOptions === 'string' ? callOptions : undefined))
    if (state.apiUsage() > state.apiLimit) {
      return sendApiError(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
    }
  })

  app.addHook('onSend', async (_request, reply) => {
    reply.header('sforce-limit-info', `api-usage=${state.apiUsage()}/${state.apiLimit}`)
  })

  app.setNotFoundHandler((_request, reply) => sendApiError(reply, 404, 'NOT_FOUND', NOT_FOUND_MESSAGE))

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof ApiError) {
      return sendApiError(reply, error.status, error.errorCode, error.message, error.fields)
    }
    // Fastify's own 4xx come from reading the body: Salesforce calls every such failure a JSON parser error.
    if (error.statusCode === 415) return sendApiError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', error.message)
    if (error.statusCode && error.statusCode < 500) return sendApiError(reply, 400, 'JSON_PARSER_ERROR', error.message)
    return sendApiError(reply, 500, 'UNKNOWN_EXCEPTION', error.message)
  })
}
