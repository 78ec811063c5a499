// Pub/Sub API errors as Salesforce sends them: a gRPC status whose trailers carry `error-code`, and a message ending
// in "rpcId: …" (Pub/Sub API guide, handling-errors.html).
import { randomUUID } from 'node:crypto'
import { Metadata, type ServiceError, status } from '@grpc/grpc-js'

export const ERROR_CODES = {
  auth: 'sfdc.platform.eventbus.grpc.service.auth.error',
  unavailable: 'sfdc.platform.eventbus.grpc.service.unavailable',
  corruptedReplay: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
  // Not in the documented list: a guess, to be checked against a real org.
  topicNotFound: 'sfdc.platform.eventbus.grpc.topic.not.found',
  invalidRequest: 'sfdc.platform.eventbus.grpc.fetch.request.invalid',
} as const

export function pubSubError(code: status, errorCode: string, message: string): Partial<ServiceError> {
  const metadata = new Metadata()
  metadata.set('error-code', errorCode)
  return { code, details: `${message} rpcId: ${randomUUID()}`, metadata }
}

export const unauthenticated = () =>
  pubSubError(status.UNAUTHENTICATED, ERROR_CODES.auth, 'Provide valid authentication via metadata headers.')

export const unavailable = () =>
  pubSubError(status.UNAVAILABLE, ERROR_CODES.unavailable, 'The service is unavailable. Try again later.')

export const corruptedReplay = () =>
  pubSubError(
    status.INVALID_ARGUMENT,
    ERROR_CODES.corruptedReplay,
    'The Replay ID validation failed. Ensure that the Replay ID is valid.',
  )

export const topicNotFound = (topic: string) =>
  pubSubError(status.NOT_FOUND, ERROR_CODES.topicNotFound, `Topic ${topic} not found or not accessible.`)
