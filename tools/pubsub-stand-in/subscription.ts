// One Subscribe stream: the replay start, flow control, keepalives, idling out and slow delivery.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ServerDuplexStream, type ServiceError, status } from '@grpc/grpc-js'
import { corruptedReplay, ERROR_CODES, pubSubError, topicNotFound } from './errors.js'
import { decodeReplayId, type EventLog, encodeReplayId } from './event-log.js'
import { findTopic } from './schemas.js'

export interface FetchRequest {
  topicName: string
  replayPreset: 'LATEST' | 'EARLIEST' | 'CUSTOM'
  replayId: Buffer
  numRequested: number
}

// "The maximum number of events that can be requested in a Subscribe … call across all requests is 100"
// (Pub/Sub API guide, flow-control.html).
const MAX_PENDING = 100

export interface SubscriptionContext {
  logOf: (topicName: string) => EventLog
  /** Whether the next CUSTOM replay is refused as corrupted (a fault). */
  takeCorruptReplay: () => boolean
  delayMs: () => number
  keepaliveMs: number
  idleTimeoutMs: number
}

export class Subscription {
  private pending = 0
  private position = 0n
  private topicName: string | undefined
  private log: EventLog | undefined
  private pumping = false
  private closed = false
  private readonly timers: NodeJS.Timeout[] = []
  private idleTimer: NodeJS.Timeout | undefined
  private stopListening: (() => void) | undefined

  constructor(
    private readonly call: ServerDuplexStream<FetchRequest, unknown>,
    private readonly context: SubscriptionContext,
    private readonly onClose: (subscription: Subscription) => void,
  ) {
    call.on('data', (request: FetchRequest) => this.onRequest(request))
    call.on('end', () => this.end())
    call.on('cancelled', () => this.close())
    call.on('error', () => this.close())
  }

  /** Ends the stream with an error status, as Salesforce does before closing it. */
  fail(error: Partial<ServiceError>): void {
    if (this.closed) return
    this.close()
    this.call.emit('error', error)
  }

  private onRequest(request: FetchRequest): void {
    if (this.closed) return
    if (this.topicName === undefined) {
      if (!this.start(request)) return
    } else if (request.topicName && request.topicName !== this.topicName) {
      // "topic_name … must match the topic of the first FetchRequest" (pubsub_api.proto, FetchRequest).
      this.fail(pubSubError(status.INVALID_ARGUMENT, ERROR_CODES.invalidRequest, 'The topic name changed.'))
      return
    }
    this.pending = Math.min(MAX_PENDING, this.pending + Math.max(0, request.numRequested))
    this.armIdle()
    void this.pump()
  }

  // Replay options count in the first FetchRequest only (pubsub_api.proto, FetchRequest).
  private start(request: FetchRequest): boolean {
    const topic = findTopic(request.topicName)
    if (!topic) {
      this.fail(topicNotFound(request.topicName))
      return false
    }
    const log = this.context.logOf(topic.name)
    if (request.replayPreset === 'CUSTOM') {
      const replayId = decodeReplayId(request.replayId)
      if (this.context.takeCorruptReplay() || replayId === undefined || !log.isKnownPosition(replayId)) {
        this.fail(corruptedReplay())
        return false
      }
      // "start the subscription after a custom point" (pubsub_api.proto, ReplayPreset.CUSTOM).
      this.position = replayId
    } else {
      this.position = request.replayPreset === 'EARLIEST' ? log.earliest : log.latest
    }
    this.topicName = topic.name
    this.log = log
    this.stopListening = log.onAppend(() => void this.pump())
    // "If there are no events to deliver, the server sends an empty batch fetch response with the latest replay ID …
    // within 270 seconds" (pubsub_api.proto, FetchResponse).
    this.timers.push(setInterval(() => this.keepalive(), this.context.keepaliveMs))
    return true
  }

  private async pump(): Promise<void> {
    if (this.pumping || !this.log) return
    this.pumping = true
    try {
      while (!this.closed && this.pending > 0) {
        const delayMs = this.context.delayMs()
        // Slow delivery hands over one event at a time.
        const batch = this.log.after(this.position, delayMs > 0 ? 1 : this.pending)
        if (batch.length === 0) break
        if (delayMs > 0) await sleep(delayMs)
        if (this.closed) break
        const last = batch[batch.length - 1]
        if (!last) break
        this.position = last.replayId
        this.pending -= batch.length
        this.send(
          batch.map((event) => ({
            event: { id: event.id, schemaId: event.schemaId, payload: event.payload, headers: [] },
            replayId: encodeReplayId(event.replayId),
          })),
        )
      }
    } finally {
      this.pumping = false
    }
  }

  private keepalive(): void {
    if (!this.pumping && !this.closed) this.send([])
  }

  private send(events: unknown[]): void {
    this.call.write({
      events,
      latestReplayId: encodeReplayId(this.position),
      rpcId: randomUUID(),
      pendingNumRequested: this.pending,
    })
    this.armIdle()
  }

  // With nothing requested, "the client must send a new FetchRequest within 60 seconds" or the stream closes
  // (Pub/Sub API guide, subscribe-rpc.html).
  private armIdle(): void {
    clearTimeout(this.idleTimer)
    if (this.pending === 0 && !this.closed) this.idleTimer = setTimeout(() => this.end(), this.context.idleTimeoutMs)
  }

  private end(): void {
    if (this.closed) return
    this.close()
    this.call.end()
  }

  private close(): void {
    if (this.closed) return
    this.closed = true
    for (const timer of this.timers) clearInterval(timer)
    clearTimeout(this.idleTimer)
    this.stopListening?.()
    this.onClose(this)
  }
}
