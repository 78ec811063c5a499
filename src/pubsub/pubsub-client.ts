// The Pub/Sub API's gRPC service (eventbus.v1.PubSub, from Salesforce's own proto in proto/pubsub_api.proto) over TLS
// that is always verified: the server's certificate must chain to the process's trusted CAs (Node's, plus
// NODE_EXTRA_CA_CERTS) and name the endpoint's host. There is no switch that turns either check off.
//
// Written on @grpc/grpc-js + @grpc/proto-loader rather than the npm client salesforce-pubsub-api-client: that client
// needs an override to load at all (its avro-js range resolves to a release that requires an undeclared package),
// turns replay ids into Numbers (they are opaque bytes, "store them as bytes": Pub/Sub API guide, replay-id page) and
// decodes lower-case bitmaps as empty; see ../shared notes and README "Following the catalog in Salesforce".
import { existsSync } from 'node:fs'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

// This file runs from src/pubsub/ (tsx) or dist/src/pubsub/ (the build); the proto is at the package's root either way.
const PROTO_CANDIDATES = ['../../proto/pubsub_api.proto', '../../../proto/pubsub_api.proto'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
)
export const PROTO_PATH = PROTO_CANDIDATES.find((path) => existsSync(path)) ?? (PROTO_CANDIDATES[0] as string)

/** "api.pubsub.salesforce.com:7443" (Pub/Sub API guide, pub-sub-endpoints.html). */
export const DEFAULT_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443'

export interface PubSubCredentials {
  accessToken: string
  instanceUrl: string
  /** The org Id. */
  tenantId: string
}

export interface ConsumerEvent {
  event: { id: string; schemaId: string; payload: Buffer }
  replayId: Buffer
}

export interface FetchResponse {
  events: ConsumerEvent[]
  latestReplayId: Buffer
  pendingNumRequested: number
}

export interface FetchRequest {
  topicName: string
  replayPreset?: 'LATEST' | 'EARLIEST' | 'CUSTOM'
  replayId?: Buffer
  numRequested: number
}

export type SubscribeStream = grpc.ClientDuplexStream<FetchRequest, FetchResponse>

export interface PubSubClient {
  getSchema(credentials: PubSubCredentials, schemaId: string): Promise<string>
  subscribe(credentials: PubSubCredentials): SubscribeStream
  close(): void
}

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: { schemaJson: string }) => void,
) => void

interface PubSubStub extends grpc.Client {
  GetSchema: Unary
  Subscribe(metadata: grpc.Metadata): SubscribeStream
}

let stubType:
  | (new (
      address: string,
      credentials: grpc.ChannelCredentials,
      options?: grpc.ChannelOptions,
    ) => PubSubStub)
  | undefined

function loadStub() {
  if (!stubType) {
    const definition = protoLoader.loadSync(PROTO_PATH, { enums: String, longs: String, defaults: true, oneofs: true })
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: typeof stubType } } }
    stubType = pkg.eventbus.v1.PubSub
  }
  return stubType as NonNullable<typeof stubType>
}

/** The three headers every call carries (pubsub_api.proto; Pub/Sub API guide, supported-auth.html). */
function metadataOf({ accessToken, instanceUrl, tenantId }: PubSubCredentials): grpc.Metadata {
  const metadata = new grpc.Metadata()
  metadata.set('accesstoken', accessToken)
  metadata.set('instanceurl', instanceUrl)
  metadata.set('tenantid', tenantId)
  return metadata
}

// gRPC keepalive pings find a connection that died without a word (a NAT dropping it) within about a minute, rather
// than when the kernel gives up; the server's own keepalive (an empty FetchResponse within 270 s) is slower.
const CHANNEL_OPTIONS = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 }

export function createPubSubClient(endpoint: string): PubSubClient {
  const Stub = loadStub()
  // Node's own trust, given explicitly: its default CAs, which hold NODE_EXTRA_CA_CERTS ("the default CA certificates
  // used by Node.js TLS clients … including NODE_EXTRA_CA_CERTS": node:tls, getCACertificates). Left to itself, grpc-js
  // builds its HTTP/2 connection without them (measured on Node 24 with @grpc/grpc-js 1.14: an extra CA was refused).
  const trusted = Buffer.from(tls.getCACertificates('default').join('\n'))
  const stub = new Stub(endpoint, grpc.credentials.createSsl(trusted), CHANNEL_OPTIONS)
  return {
    getSchema: (credentials, schemaId) =>
      new Promise((resolve, reject) =>
        stub.GetSchema({ schemaId }, metadataOf(credentials), (error, response) =>
          error ? reject(error) : resolve(response.schemaJson),
        ),
      ),
    subscribe: (credentials) => stub.Subscribe(metadataOf(credentials)),
    close: () => stub.close(),
  }
}
