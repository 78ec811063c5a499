// pino settings: JSON lines, request ids, and secrets removed before anything is written.
import pino, { type DestinationStream, type Logger } from 'pino'

const secretFields = [
  'password',
  'apiPassword',
  'apiPasswords',
  'privateKey',
  'accessToken',
  'access_token',
  'assertion',
]
/**
 * The objects a log line may carry, with their secret fields redacted. They are named rather than matched with a
 * leading wildcard (`*.password`): pino runs a leading-wildcard redactor over the bindings of every child logger,
 * and Fastify makes one per request (about 5% of a request's CPU, measured). The rule that goes with it, checked
 * by test/logger.test.ts: a log call passes objects only under these names.
 */
export const loggedObjects = ['err', 'error', 'config', 'settings', 'credentials', 'token', 'body']

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  // AppLink mode: the invoking user's access token, base64 inside the header.
  'req.headers["x-client-context"]',
  'headers.authorization',
  ...loggedObjects.flatMap((object) => secretFields.map((field) => `${object}.${field}`)),
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination)
}
