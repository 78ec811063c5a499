// One topic's Subscribe stream, kept open: flow control, resubscribing after every error with backoff and jitter
// from the last replay id the caller stored, a fresh token when the session is refused, and each batch of events
// handed to the caller one at a time, the next only when the last is applied.
import { setTimeout as wait } from 'node:timers/promises'
import type { ServiceError } from '@grpc/grpc-js'
import type { SalesforceLogger, SalesforceToken } from '../salesforce/token-provider.js'
import { type EventSchema, schemaCache } from './event-decoding.js'
import type { ConsumerEvent, FetchRequest, FetchResponse, PubSubClient, SubscribeStream } from './pubsub-client.js'
import { classifyStreamError, errorCodeOf } from './stream-errors.js'

// "The maximum number of events that can be requested in a Subscribe … call across all requests is 100" (Pub/Sub API
// guide, flow-control.html). flowcart keeps 100 asked for, topping up after each batch it applies, so the stream never
// sits with nothing requested (it would close within 60 s: subscribe-rpc.html) and never holds more than 100 unapplied.
const MAX_REQUESTED = 100
// Backoff between subscribe attempts: 250 ms doubling to 8 s, each with jitter (half to all of it), so dynos that
// lost a stream together do not return together, and a stream is back within 10 s of an error.
const FIRST_RETRY_MS = 250
// A Subscribe call answers nothing until there is an event or a keepalive (up to 270 s), so a stream that has not
// failed this long after its first request counts as open: an error (auth, a refused replay id) comes back at once.
const OPEN_AFTER_MS = 1500
const MAX_RETRY_MS = 8000

export interface DecodedEvent {
  /** The event's UUID (for change events, unique per event: Platform Events guide, platform_events_event_uuid.htm). */
  id: string
  replayId: Buffer
  schema: EventSchema
  fields: Record<string, unknown>
}

export type ReplayStart = { preset: 'LATEST' } | { preset: 'EARLIEST' } | { preset: 'CUSTOM'; replayId: Buffer }

export interface TopicSubscriptionOptions {
  client: PubSubClient
  topicName: string
  tokens: { getToken(): Promise<SalesforceToken>; invalidate(accessToken: string): void }
  /** The org Id, when the token does not say it. */
  orgId?: string
  /** Where to start, read again before every subscribe: after the last stored replay id, or LATEST. */
  replayStart(): Promise<ReplayStart>
  /** Applies a batch of events and stores the last one's replay id; a throw resubscribes from the stored id. */
  applyEvents(events: DecodedEvent[]): Promise<void>
  /** An empty response (keepalive) while nothing is in flight: the topic's latest replay id, to store. */
  caughtUp(latestReplayId: Buffer): Promise<void>
  /** The stored replay id was refused (corrupted, or past the 72-hour retention): make the catalog whole again. */
  replayRejected(): Promise<void>
  /** The stream is open (answered, or has not failed for a moment): where it started is now fixed. */
  opened?(): void
  /** The stream's state or last error changed (status()). */
  statusChanged?(): void
  logger: SalesforceLogger
}

export type SubscriptionState = 'connecting' | 'live' | 'retrying' | 'stopped'

export interface SubscriptionStatus {
  state: SubscriptionState
  /** A stable code of the last error (the `error-code` trailer, or the gRPC status name); never Salesforce's text. */
  lastErrorCode?: string
  /** How many subscribe attempts failed since the stream was last live. */
  failures: number
}

/** Waits `ms`, or less when stopped (the timer and its listener go with it). */
const sleep = (ms: number, signal: AbortSignal) => wait(ms, undefined, { signal }).catch(() => {})

function retryDelayMs(failures: number): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1))
  return Math.round(ceiling * (0.5 + Math.random() / 2))
}

export function subscribeToTopic(options: TopicSubscriptionOptions) {
  const { client, topicName, tokens, logger } = options
  const stopping = new AbortController()
  let status: SubscriptionStatus = { state: 'connecting', failures: 0 }
  const setStatus = (next: SubscriptionStatus) => {
    const changed = next.state !== status.state || next.lastErrorCode !== status.lastErrorCode
    status = next
    if (changed) options.statusChanged?.()
  }
  let current: SubscribeStream | undefined
  let accessToken: string | undefined
  const schemaOf = schemaCache(async (schemaId) => {
    const credentials = await credentialsNow()
    return client.getSchema(credentials, schemaId)
  })

  async function credentialsNow() {
    const token = await tokens.getToken()
    accessToken = token.accessToken
    const tenantId = token.orgId ?? options.orgId
    if (!tenantId) throw new Error('The sign-in names no org Id, which the Pub/Sub API needs')
    return { accessToken: token.accessToken, instanceUrl: token.instanceUrl, tenantId }
  }

  async function decode(events: ConsumerEvent[]): Promise<DecodedEvent[]> {
    const decoded: DecodedEvent[] = []
    for (const { event, replayId } of events) {
      const schema = await schemaOf(event.schemaId)
      decoded.push({ id: event.id, replayId, schema, fields: schema.decode(event.payload) })
    }
    return decoded
  }

  /** One subscribe, until the stream ends; resolves with how it ended (an error, or undefined when it just closed). */
  async function runStream(): Promise<Partial<ServiceError> | undefined> {
    const credentials = await credentialsNow()
    const start = await options.replayStart()
    const stream = client.subscribe(credentials)
    current = stream
    const responses: FetchResponse[] = []
    let wake: (() => void) | undefined
    let ended = false
    let endError: Partial<ServiceError> | undefined
    const notify = () => {
      wake?.()
      wake = undefined
    }
    stream.on('data', (response: FetchResponse) => {
      responses.push(response)
      notify()
    })
    stream.on('error', (error: ServiceError) => {
      endError = error
      ended = true
      notify()
    })
    stream.on('end', () => {
      ended = true
      notify()
    })
    const first: FetchRequest = { topicName, numRequested: MAX_REQUESTED, replayPreset: start.preset }
    if (start.preset === 'CUSTOM') first.replayId = start.replayId
    stream.write(first)
    const markOpen = () => {
      if (status.state === 'live') return
      setStatus({ state: 'live', failures: 0 })
      logger.info({ topic: topicName }, 'subscribed to change events')
      options.opened?.()
    }
    const openTimer = setTimeout(() => !ended && markOpen(), OPEN_AFTER_MS)
    try {
      while (!stopping.signal.aborted) {
        const response = responses.shift()
        if (!response) {
          if (ended) return endError
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          continue
        }
        markOpen()
        if (response.events.length > 0) await options.applyEvents(await decode(response.events))
        else if (responses.length === 0) await options.caughtUp(response.latestReplayId)
        const unapplied = responses.reduce((sum, queued) => sum + queued.events.length, 0)
        const ask = MAX_REQUESTED - response.pendingNumRequested - unapplied
        if (ask > 0 && !ended) stream.write({ topicName, numRequested: ask })
      }
      return undefined
    } finally {
      clearTimeout(openTimer)
      stream.cancel()
      current = undefined
    }
  }

  /**
   * Every way a subscribe ends, and what comes next: a lost lease ends the subscription; a refused replay id makes the
   * catalog whole again (resubscribing from LATEST); an auth error drops the token; anything else (an outage, a
   * reset, a dropped connection, a batch that could not be applied) resubscribes from the stored replay id. All but
   * the first after a backoff.
   */
  async function run() {
    while (!stopping.signal.aborted) {
      let ended: unknown
      try {
        ended = await runStream()
      } catch (thrown) {
        if ((thrown as { leaseLost?: boolean }).leaseLost) throw thrown
        ended = thrown
      }
      if (stopping.signal.aborted) break
      const grpcError = isServiceError(ended) ? ended : undefined
      const end = grpcError ? classifyStreamError(grpcError) : 'retry'
      const failures = status.state === 'live' ? 1 : status.failures + 1
      setStatus({ state: 'retrying', failures, lastErrorCode: ended ? codeOf(ended) : 'STREAM_CLOSED' })
      if (end === 'replay-rejected' && (await catalogMadeWhole())) continue
      if (end === 'auth' && accessToken) tokens.invalidate(accessToken)
      if (ended && !grpcError) logger.warn({ topic: topicName, err: ended }, 'change events could not be applied')
      logger.info(
        { topic: topicName, code: status.lastErrorCode, failures, detail: grpcError?.details },
        'change event stream ended; resubscribing',
      )
      await sleep(retryDelayMs(failures), stopping.signal)
    }
    setStatus({ ...status, state: 'stopped' })
  }

  /** After a refused replay id; false when the import failed (the id stays stored, so it is refused and tried again). */
  async function catalogMadeWhole(): Promise<boolean> {
    logger.warn({ topic: topicName, code: status.lastErrorCode }, 'the stored replay id was refused')
    try {
      await options.replayRejected()
      return true
    } catch (thrown) {
      if ((thrown as { leaseLost?: boolean }).leaseLost) throw thrown
      logger.warn({ topic: topicName, err: thrown }, 'the catalog could not be imported again; retrying')
      return false
    }
  }

  return {
    /** Runs until stop(); rejects only when a batch finds the subscription is no longer this process's. */
    run,
    stop() {
      stopping.abort()
      current?.cancel()
    },
    status: () => status,
  }
}

/** A gRPC status (a stream's end, a unary call's failure), as opposed to an error of flowcart's own. */
function isServiceError(error: unknown): error is Partial<ServiceError> {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as ServiceError).code === 'number' &&
    'metadata' in error
  )
}

function codeOf(error: unknown): string {
  const serviceError = error as Partial<ServiceError>
  const trailer = serviceError.metadata ? errorCodeOf(serviceError) : undefined
  if (trailer) return trailer
  if (typeof serviceError.code === 'number') return `GRPC_${serviceError.code}`
  return (error as { code?: string }).code ?? 'ERROR'
}
