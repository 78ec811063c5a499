// How long a client may take, and how many may connect: the HTTP_* variables, checked once at start-up with the
// rest of the environment (config.ts), and handed to the HTTP server (app.ts).
import { type Static, Type } from 'typebox'
import { ConfigError, Count, Milliseconds } from '../environment-variables.js'

export const HTTP_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  idleTimeoutMs: 30_000,
  maxConnections: 1000,
}

export const HttpLimitsVariables = Type.Object({
  HTTP_HEADERS_TIMEOUT_MS: Milliseconds(
    'Time a client has to send the request headers',
    HTTP_DEFAULTS.headersTimeoutMs,
  ),
  HTTP_REQUEST_TIMEOUT_MS: Milliseconds(
    'Time a client has to send the whole request, body included',
    HTTP_DEFAULTS.requestTimeoutMs,
  ),
  HTTP_IDLE_TIMEOUT_MS: Milliseconds(
    'Longest silence on a connection while a request is received or answered',
    HTTP_DEFAULTS.idleTimeoutMs,
  ),
  HTTP_MAX_CONNECTIONS: Count(
    'Connections open at once; past it, a newcomer takes the place of the one idle longest',
    HTTP_DEFAULTS.maxConnections,
  ),
})

/** Slow or numerous clients cannot hold the service. */
export interface HttpLimits {
  headersTimeoutMs: number
  requestTimeoutMs: number
  idleTimeoutMs: number
  maxConnections: number
}

/** The limits of validated variables (each already a number in range), or a ConfigError when they disagree. */
export function httpLimitsOf(vars: Static<typeof HttpLimitsVariables>): HttpLimits {
  const http: HttpLimits = {
    headersTimeoutMs: Number(vars.HTTP_HEADERS_TIMEOUT_MS ?? HTTP_DEFAULTS.headersTimeoutMs),
    requestTimeoutMs: Number(vars.HTTP_REQUEST_TIMEOUT_MS ?? HTTP_DEFAULTS.requestTimeoutMs),
    idleTimeoutMs: Number(vars.HTTP_IDLE_TIMEOUT_MS ?? HTTP_DEFAULTS.idleTimeoutMs),
    maxConnections: Number(vars.HTTP_MAX_CONNECTIONS ?? HTTP_DEFAULTS.maxConnections),
  }
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_MS is invalid: ${http.headersTimeoutMs} is longer than HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs}), which includes the headers.`,
    )
  }
  return http
}
