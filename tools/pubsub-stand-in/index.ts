// A loopback Salesforce Pub/Sub API (eventbus.v1.PubSub over TLS) fed by the Salesforce emulator's record changes,
// with faults on demand. See README.md for what follows documented behaviour and what is a guess.
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type { SalesforceEmulator } from '../salesforce-emulator/types.js'
import { authenticate } from './auth.js'
import { changeEvent, gapEvent } from './change-events.js'
import { registerControlApi } from './control-api.js'
import { topicNotFound, unauthenticated, unavailable } from './errors.js'
import { decodeReplayId, EventLog, encodeReplayId } from './event-log.js'
import { type ChangeType, findTopic, TOPICS, topicOfEntity, topicOfSchema } from './schemas.js'
import { type FetchRequest, Subscription } from './subscription.js'
import { generateTls, type StandInCa } from './tls.js'

export const PROTO_PATH = fileURLToPath(new URL('../../proto/pubsub_api.proto', import.meta.url))

export interface PubSubStandInOptions {
  emulator: SalesforceEmulator
  /** Empty responses on an idle stream; Salesforce sends one "within 270 seconds". */
  keepaliveMs?: number
  /** A stream with nothing requested closes after this; Salesforce's is 60 seconds. */
  idleTimeoutMs?: number
  /** The CA that signs the server's certificate (default: one made at start). */
  ca?: StandInCa
}

export interface DecodedEvent {
  replayId: Buffer
  id: string
  schemaId: string
}

export interface PubSubControls {
  /** Every open Subscribe stream ends with UNAVAILABLE (service.unavailable), as in an outage. */
  failStreams(): void
  /** Closes every client connection without a status, as a network drop or a restart would. */
  dropConnections(): void
  /** The next `count` calls (any RPC) answer UNAVAILABLE. */
  failNextCalls(count: number): void
  /** The next CUSTOM replay answers INVALID_ARGUMENT with fetch.replayid.corrupted, whatever its id. */
  corruptNextReplay(): void
  /** Waits this long before each event, handing them over one at a time (0: off). */
  setDeliveryDelay(ms: number): void
  /** Appends a gap event (GAP_CREATE, GAP_UPDATE, GAP_DELETE, GAP_UNDELETE) naming these records. */
  emitGap(orgId: string, topicName: string, changeType: ChangeType, recordIds: string[]): DecodedEvent
  /** Appends an overflow event (GAP_OVERFLOW) for the topic's object. */
  emitOverflow(orgId: string, topicName: string): DecodedEvent
  /** Forgets the events before `replayId` (every event when absent), as the 72-hour retention would; returns how many. */
  expireBefore(orgId: string, topicName: string, replayId?: Buffer): number
  /** The events kept for an org's topic, oldest first. */
  events(orgId: string, topicName: string): DecodedEvent[]
  /**
   * The next `count` record changes become gap events naming their record (GAP_CREATE, GAP_UPDATE…), as Salesforce
   * sends one when it cannot make the change event (CDC Developer Guide, Gap Events).
   */
  gapNextChanges(count: number): void
  /**
   * The next `count` record changes make no event, as the changes past Salesforce's 100,000 in one transaction make
   * none: "The set of changes beyond that amount generates one overflow event" (emitOverflow; CDC Developer Guide).
   */
  dropNextChanges(count: number): void
  /** Subscribe streams open now for an org (any topic), counted as they start and end. */
  openStreams(orgId: string): number
}

export interface PubSubStandIn extends PubSubControls {
  /** `localhost:<port>`, the name the server certificate is for. */
  endpoint: string
  /** The CA that signed the server certificate: trust it (NODE_EXTRA_CA_CERTS, or grpc.credentials.createSsl). */
  caPem: string
  /** The HTTP control API (no authentication), e.g. http://127.0.0.1:PORT/__pubsub. */
  controlUrl: string
  close(): Promise<void>
}

function loadService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(PROTO_PATH, { enums: String, longs: String, defaults: true, oneofs: true })
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    eventbus: { v1: { PubSub: { service: grpc.ServiceDefinition } } }
  }
  return pkg.eventbus.v1.PubSub.service
}

export async function startPubSubStandIn(options: PubSubStandInOptions): Promise<PubSubStandIn> {
  const { emulator } = options
  const tls = generateTls(options.ca)
  const logs = new Map<string, EventLog>()
  const subscriptions = new Set<Subscription>()
  const faults = { failCalls: 0, corruptReplay: false, delayMs: 0, gapChanges: 0, droppedChanges: 0 }
  const streamsOf = new Map<string, number>()
  const orgKey = (orgId: string) => orgId.slice(0, 15)
  const logOf = (orgId: string, topicName: string) => {
    const key = `${orgKey(orgId)} ${topicName}`
    let log = logs.get(key)
    if (!log) {
      log = new EventLog()
      logs.set(key, log)
    }
    return log
  }
  const append = (orgId: string, topicName: string, payload: Buffer) => {
    const topic = findTopic(topicName)
    if (!topic) throw new Error(`No topic ${topicName}`)
    const stored = logOf(orgId, topic.name).append({ id: randomUUID(), schemaId: topic.schemaId, payload })
    return { ...stored, replayId: encodeReplayId(stored.replayId) }
  }

  const stopFeed = emulator.onRecordChange((orgId, change) => {
    const topic = topicOfEntity(change.entityName)
    if (!topic) return
    if (faults.droppedChanges > 0) {
      faults.droppedChanges -= 1
      return
    }
    if (faults.gapChanges > 0) {
      faults.gapChanges -= 1
      append(orgId, topic.name, gapEvent(topic, `GAP_${change.changeType}`, [change.recordId], change.commitUser))
      return
    }
    append(orgId, topic.name, changeEvent(topic, change).payload)
  })

  // Every RPC: injected outages first, then the session, as Salesforce checks the headers on each call.
  const admit = (call: { metadata: grpc.Metadata }) => {
    if (faults.failCalls > 0) {
      faults.failCalls -= 1
      return { error: unavailable() }
    }
    const caller = authenticate(emulator, call.metadata)
    return caller ? { caller } : { error: unauthenticated() }
  }

  const server = new grpc.Server()
  server.addService(loadService(), {
    GetTopic: (call: grpc.ServerUnaryCall<{ topicName: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const { error, caller } = admit(call)
      if (!caller) return callback(error as grpc.ServiceError)
      const topic = findTopic(call.request.topicName)
      if (!topic) return callback(topicNotFound(call.request.topicName) as grpc.ServiceError)
      callback(null, {
        topicName: topic.name,
        tenantGuid: caller.org.orgId,
        // Change events are published by Salesforce only.
        canPublish: false,
        canSubscribe: true,
        schemaId: topic.schemaId,
        rpcId: randomUUID(),
      })
    },
    GetSchema: (call: grpc.ServerUnaryCall<{ schemaId: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const { error, caller } = admit(call)
      if (!caller) return callback(error as grpc.ServiceError)
      const topic = topicOfSchema(call.request.schemaId)
      if (!topic) return callback(topicNotFound(call.request.schemaId) as grpc.ServiceError)
      callback(null, { schemaJson: topic.schemaJson, schemaId: topic.schemaId, rpcId: randomUUID() })
    },
    Subscribe: (call: grpc.ServerDuplexStream<FetchRequest, unknown>) => {
      const { error, caller } = admit(call)
      if (!caller) {
        call.emit('error', error)
        return
      }
      const orgId = caller.org.orgId
      const streamKey = orgKey(orgId)
      streamsOf.set(streamKey, (streamsOf.get(streamKey) ?? 0) + 1)
      const subscription = new Subscription(
        call,
        {
          logOf: (topicName) => logOf(orgId, topicName),
          takeCorruptReplay: () => {
            const corrupt = faults.corruptReplay
            faults.corruptReplay = false
            return corrupt
          },
          delayMs: () => faults.delayMs,
          keepaliveMs: options.keepaliveMs ?? 270_000,
          idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
        },
        (closed) => {
          subscriptions.delete(closed)
          streamsOf.set(streamKey, (streamsOf.get(streamKey) ?? 1) - 1)
        },
      )
      subscriptions.add(subscription)
    },
  })

  const credentials = grpc.ServerCredentials.createSsl(null, [
    { private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) },
  ])
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  const endpoint = `localhost:${port}`

  const decoded = (orgId: string, topicName: string) =>
    logOf(orgId, topicName)
      .all()
      .map((event) => ({ replayId: encodeReplayId(event.replayId), id: event.id, schemaId: event.schemaId }))

  const controls: PubSubControls = {
    failStreams: () => {
      for (const subscription of [...subscriptions]) subscription.fail(unavailable())
    },
    dropConnections: () => server.drain(`127.0.0.1:${port}`, 0),
    failNextCalls: (count) => {
      faults.failCalls = count
    },
    corruptNextReplay: () => {
      faults.corruptReplay = true
    },
    setDeliveryDelay: (ms) => {
      faults.delayMs = ms
    },
    emitGap: (orgId, topicName, changeType, recordIds) => {
      const topic = findTopic(topicName)
      if (!topic) throw new Error(`No topic ${topicName}`)
      const { replayId, id, schemaId } = append(orgId, topic.name, gapEvent(topic, changeType, recordIds, ''))
      return { replayId, id, schemaId }
    },
    emitOverflow: (orgId, topicName) => controls.emitGap(orgId, topicName, 'GAP_OVERFLOW', []),
    expireBefore: (orgId, topicName, replayId) => logOf(orgId, topicName).expireBefore(decodeReplayId(replayId)),
    events: decoded,
    gapNextChanges: (count) => {
      faults.gapChanges = count
    },
    dropNextChanges: (count) => {
      faults.droppedChanges = count
    },
    openStreams: (orgId) => streamsOf.get(orgKey(orgId)) ?? 0,
  }

  const control = await registerControlApi(controls, tls.caPem)
  return {
    ...controls,
    endpoint,
    caPem: tls.caPem,
    controlUrl: control.url,
    close: async () => {
      stopFeed()
      await control.close()
      server.forceShutdown()
    },
  }
}

export { TOPICS }
