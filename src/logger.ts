// pino settings: JSON lines, request ids, and secrets removed before anything is written.
import pino, { type DestinationStream, type Logger } from 'pino'

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.apiPassword',
  '*.apiPasswords',
  '*.privateKey',
  '*.accessToken',
  '*.access_token',
  '*.assertion',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination)
}
