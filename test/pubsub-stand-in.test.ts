// The Pub/Sub stand-in as a plain gRPC client over verified TLS sees it: change events of Product2 and PricebookEntry
// records written through the emulator's REST API and its UI controls, flow control, replay, and each fault on demand.
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import avro from 'avsc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROTO_PATH, type PubSubStandIn, startPubSubStandIn } from '../tools/pubsub-stand-in/index.js'
import {
  generateKeyPair,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../tools/salesforce-emulator/index.js'

const TOPIC = '/data/Product2ChangeEvent'
const PRICE_TOPIC = '/data/PricebookEntryChangeEvent'

interface FetchResponse {
  events: { event: { id: string; schemaId: string; payload: Buffer }; replayId: Buffer }[]
  latestReplayId: Buffer
  pendingNumRequested: number
}
type Stream = grpc.ClientDuplexStream<object, FetchResponse>

let emulator: SalesforceEmulator
let standIn: PubSubStandIn
let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>
let token: string

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    consumerKey: 'pubsub.test',
    username: 'integration@pubsub.example',
    publicKey: generateKeyPair().publicKey,
    products: [{ Name: 'Seeded', ProductCode: 'SEED-1', IsActive: true, standardPrice: 10 }],
  })
  standIn = await startPubSubStandIn({ emulator, keepaliveMs: 200 })
  const definition = protoLoader.loadSync(PROTO_PATH, { enums: String, defaults: true, longs: String })
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    eventbus: { v1: { PubSub: new (address: string, credentials: grpc.ChannelCredentials) => typeof client } }
  }
  // Verified TLS: the stand-in's own CA is the only one trusted, and the name is checked against `localhost`.
  client = new pkg.eventbus.v1.PubSub(standIn.endpoint, grpc.credentials.createSsl(Buffer.from(standIn.caPem)))
  token = emulator.openSession('integration@pubsub.example').accessToken
})

afterAll(async () => {
  client?.close()
  await standIn?.close()
  await emulator?.close()
})

function metadata(accessToken = token): grpc.Metadata {
  const m = new grpc.Metadata()
  m.set('accesstoken', accessToken)
  m.set('instanceurl', emulator.instanceUrl)
  m.set('tenantid', emulator.orgId)
  return m
}

function unary<T>(method: string, request: object, m = metadata()): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method]?.(request, m, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))),
  )
}

async function decoder(schemaId: string) {
  const { schemaJson } = await unary<{ schemaJson: string }>('GetSchema', { schemaId })
  const long = avro.types.LongType.__with({
    fromBuffer: (b: Buffer) => b.readBigInt64LE(),
    toBuffer: () => Buffer.alloc(8),
    fromJSON: BigInt,
    toJSON: Number,
    isValid: () => true,
    compare: () => 0,
  })
  return avro.Type.forSchema(JSON.parse(schemaJson), { wrapUnions: true, registry: { long } })
}

function subscribe(first: object, m = metadata()): { stream: Stream; next: () => Promise<FetchResponse> } {
  const stream = client.Subscribe?.(m) as Stream
  const queue: FetchResponse[] = []
  const waiters: ((r: FetchResponse) => void)[] = []
  stream.on('data', (response: FetchResponse) => {
    if (response.events.length === 0) return // keepalives
    const waiter = waiters.shift()
    if (waiter) waiter(response)
    else queue.push(response)
  })
  stream.on('error', () => {})
  stream.write({ topicName: TOPIC, numRequested: 1, ...first })
  const next = () => {
    const ready = queue.shift()
    return ready ? Promise.resolve(ready) : new Promise<FetchResponse>((resolve) => waiters.push(resolve))
  }
  return { stream, next }
}

// Not events.once: the stream's 'error' event, which comes first, would reject it.
const statusOf = (stream: Stream) => new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve))

async function patchRecord(object: string, id: string, body: object, callOptions?: string): Promise<void> {
  const response = await fetch(`${emulator.instanceUrl}/services/data/v63.0/sobjects/${object}/${id}`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(callOptions ? { 'sforce-call-options': callOptions } : {}),
    },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(204)
}

const patchProduct = (id: string, body: object, callOptions?: string) => patchRecord('Product2', id, body, callOptions)

/** The names of the fields a bitmap's bits stand for (bit i is the schema's field i). */
function fieldsOf(type: avro.Type, bitmap: string): string[] {
  const bits = BigInt(bitmap)
  return (type as avro.types.RecordType).fields.map((f) => f.name).filter((_, i) => (bits >> BigInt(i)) & 1n)
}

const seeded = () => emulator.records()[0]?.Id as string

describe('Pub/Sub stand-in', () => {
  it('answers GetTopic with the schema id, whose schema is a change event with a ChangeEventHeader', async () => {
    const topic = await unary<{ schemaId: string; canSubscribe: boolean }>('GetTopic', { topicName: TOPIC })
    expect(topic.canSubscribe).toBe(true)
    const type = (await decoder(topic.schemaId)) as avro.types.RecordType
    expect(type.fields.map((f) => f.name).slice(0, 2)).toEqual(['ChangeEventHeader', 'Name'])
  })

  it('refuses a token the org does not know with UNAUTHENTICATED and the auth error code', async () => {
    const error = (await unary('GetTopic', { topicName: TOPIC }, metadata('00D000000000000!nope')).catch(
      (e) => e,
    )) as grpc.ServiceError
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED)
    expect(error.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.auth.error'])
  })

  it('streams a REST update with its client origin and the changed fields bitmap, one event per request', async () => {
    const { stream, next } = subscribe({ replayPreset: 'LATEST' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    await patchProduct(seeded(), { Name: 'Renamed', Qty_In_Stock__c: 7 }, 'client=flowcart')
    await patchProduct(seeded(), { Name: 'Renamed again' })
    const first = await next()
    expect(first.events).toHaveLength(1) // asked for 1, got 1
    expect(first.pendingNumRequested).toBe(0)
    const [event] = first.events
    const type = await decoder(event?.event.schemaId as string)
    const payload = type.fromBuffer(event?.event.payload as Buffer)
    const header = payload.ChangeEventHeader
    expect(header.changeType).toBe('UPDATE')
    expect(header.entityName).toBe('Product2')
    expect(header.recordIds).toEqual([seeded()])
    expect(header.changeOrigin).toBe('com/salesforce/api/rest/63.0;client=flowcart')
    expect(header.changedFields).toEqual([expect.stringMatching(/^0x[0-9A-F]+$/)])
    expect(fieldsOf(type, header.changedFields[0]).sort()).toEqual(['LastModifiedDate', 'Name', 'Qty_In_Stock__c'])
    expect(payload.Name).toEqual({ string: 'Renamed' })
    expect(payload.ProductCode).toBeNull() // unchanged fields are null

    stream.write({ numRequested: 1 })
    const second = await next()
    const again = type.fromBuffer(second.events[0]?.event.payload as Buffer)
    expect(again.ChangeEventHeader.changeOrigin).toBe('com/salesforce/api/rest/63.0')
    stream.cancel()
  })

  it('resumes a CUSTOM replay right after the given replay id', async () => {
    const events = standIn.events(emulator.orgId, TOPIC)
    expect(events.length).toBeGreaterThanOrEqual(2)
    const { stream, next } = subscribe({ replayPreset: 'CUSTOM', replayId: events[0]?.replayId, numRequested: 10 })
    const response = await next()
    expect(response.events[0]?.replayId).toEqual(events[1]?.replayId)
    stream.cancel()
  })

  it('refuses an expired replay id, and any one when the fault is set, as corrupted', async () => {
    const [oldest, second] = standIn.events(emulator.orgId, TOPIC)
    standIn.expireBefore(emulator.orgId, TOPIC, second?.replayId)
    const expired = subscribe({ replayPreset: 'CUSTOM', replayId: oldest?.replayId })
    const status = await statusOf(expired.stream)
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(status.metadata.get('error-code')).toEqual([
      'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
    ])

    standIn.corruptNextReplay()
    const corrupted = subscribe({ replayPreset: 'CUSTOM', replayId: second?.replayId })
    expect((await statusOf(corrupted.stream)).code).toBe(grpc.status.INVALID_ARGUMENT)
  })

  it('emits gap and overflow events on demand', async () => {
    const { stream, next } = subscribe({ replayPreset: 'LATEST', numRequested: 2 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    standIn.emitGap(emulator.orgId, TOPIC, 'GAP_UPDATE', [seeded()])
    standIn.emitOverflow(emulator.orgId, TOPIC)
    const received: FetchResponse['events'] = []
    while (received.length < 2) received.push(...(await next()).events)
    const type = await decoder(received[0]?.event.schemaId as string)
    const headers = received.map((e) => type.fromBuffer(e.event.payload).ChangeEventHeader)
    expect(headers.map((h) => [h.changeType, h.recordIds])).toEqual([
      ['GAP_UPDATE', [seeded()]],
      ['GAP_OVERFLOW', []],
    ])
    stream.cancel()
  })

  it('streams price changes on the PricebookEntry topic: a price set in the UI, then a REST update with its client', async () => {
    const { stream, next } = subscribe({ topicName: PRICE_TOPIC, replayPreset: 'LATEST', numRequested: 2 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const productEvents = standIn.events(emulator.orgId, TOPIC).length
    const entry = emulator.setStandardPrice(seeded(), 12.5)
    await patchRecord('PricebookEntry', entry.Id, { IsActive: false }, 'client=flowcart')
    const received: FetchResponse['events'] = []
    while (received.length < 2) received.push(...(await next()).events)
    const type = await decoder(received[0]?.event.schemaId as string)
    const [priced, deactivated] = received.map((e) => type.fromBuffer(e.event.payload))

    expect(priced.ChangeEventHeader).toMatchObject({
      entityName: 'PricebookEntry',
      recordIds: [entry.Id],
      changeType: 'UPDATE',
      changeOrigin: '',
    })
    expect(fieldsOf(type, priced.ChangeEventHeader.changedFields[0]).sort()).toEqual(['LastModifiedDate', 'UnitPrice'])
    expect(priced.UnitPrice).toEqual({ double: 12.5 })
    expect(priced.Product2Id).toBeNull() // unchanged fields are null

    expect(deactivated.ChangeEventHeader.changeOrigin).toBe('com/salesforce/api/rest/63.0;client=flowcart')
    expect(fieldsOf(type, deactivated.ChangeEventHeader.changedFields[0]).sort()).toEqual([
      'IsActive',
      'LastModifiedDate',
    ])
    expect(deactivated.IsActive).toEqual({ boolean: false })
    // Only the price topic carries them: the product's own topic has no event for either.
    expect(standIn.events(emulator.orgId, PRICE_TOPIC)).toHaveLength(2)
    expect(standIn.events(emulator.orgId, TOPIC)).toHaveLength(productEvents)
    stream.cancel()
  })

  it('answers UNAVAILABLE on demand, for new calls and for open streams', async () => {
    standIn.failNextCalls(1)
    const refused = (await unary('GetTopic', { topicName: TOPIC }).catch((e) => e)) as grpc.ServiceError
    expect(refused.code).toBe(grpc.status.UNAVAILABLE)
    expect(refused.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.unavailable'])

    const { stream } = subscribe({ replayPreset: 'LATEST' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    standIn.failStreams()
    expect((await statusOf(stream)).code).toBe(grpc.status.UNAVAILABLE)
  })

  it('drops the connection under an open stream', async () => {
    const { stream } = subscribe({ replayPreset: 'LATEST' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    standIn.dropConnections()
    const status = await statusOf(stream)
    expect(status.code).not.toBe(grpc.status.OK)
  })

  it('delivers slowly, one event per response, when asked to', async () => {
    standIn.setDeliveryDelay(50)
    const { stream, next } = subscribe({ replayPreset: 'EARLIEST', numRequested: 3 })
    const responses = [await next(), await next()]
    expect(responses.map((r) => r.events.length)).toEqual([1, 1])
    standIn.setDeliveryDelay(0)
    stream.cancel()
  })
})
