// What a Subscribe stream's end means, from its gRPC status and the `error-code` trailer Salesforce puts on it
// (Pub/Sub API guide, handling-errors.html: "the custom error code is in the trailers under key error-code").
import { type ServiceError, status } from '@grpc/grpc-js'

/**
 * - `replay-rejected`: the stored replay id is refused, "One possible cause is that it's an old Replay ID outside the
 *   72-hour retention period" (…fetch.replayid.corrupted, also …replayid.validation.failed in Salesforce's Java
 *   sample): resubscribing with it can never work.
 * - `auth`: the session is refused (…service.auth.error, UNAUTHENTICATED): a fresh token, then again.
 * - `retry`: anything else (UNAVAILABLE, RST_STREAM, INTERNAL with …service.unavailable, a dropped connection, the
 *   idle close): resubscribe after the stored replay id, with backoff.
 */
export type StreamEnd = 'replay-rejected' | 'auth' | 'retry'

const REPLAY_REJECTED = /replayid\.(corrupted|validation\.failed)$/
const AUTH_ERROR = /\.auth\.error$/

export function errorCodeOf(error: Partial<ServiceError>): string | undefined {
  const value = error.metadata?.get('error-code')[0]
  return value === undefined ? undefined : String(value)
}

export function classifyStreamError(error: Partial<ServiceError>): StreamEnd {
  const code = errorCodeOf(error) ?? ''
  if (REPLAY_REJECTED.test(code)) return 'replay-rejected'
  if (AUTH_ERROR.test(code) || error.code === status.UNAUTHENTICATED) return 'auth'
  return 'retry'
}
