// /__pubsub/*: the stand-in's faults and inspection over HTTP, for the demo and tests in other processes, as the
// Salesforce emulator's /__emulator does (no authentication; loopback only).
import Fastify, { type FastifyError } from 'fastify'
import type { PubSubControls } from './index.js'
import type { ChangeType } from './schemas.js'

interface Faults {
  failStreams?: boolean
  dropConnections?: boolean
  failNextCalls?: number
  corruptNextReplay?: boolean
  deliveryDelayMs?: number
}

const count = { type: 'integer', minimum: 0 }
const orgTopic = { type: 'object', required: ['topic'], properties: { topic: { type: 'string' } } }

export async function registerControlApi(
  controls: PubSubControls,
  caPem: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false, forceCloseConnections: true })
  // A control that names an unknown topic is a caller's mistake: a 400 with the reason, never a 500.
  app.setErrorHandler((error: FastifyError, _request, reply) =>
    reply.code(error.statusCode && error.statusCode < 500 ? error.statusCode : 400).send({ message: error.message }),
  )
  await app.register(
    async (api) => {
      api.get('/ca.pem', async (_request, reply) => reply.type('application/x-pem-file').send(caPem))
      api.post<{ Body: Faults }>(
        '/faults',
        {
          schema: {
            body: {
              type: 'object',
              additionalProperties: false,
              properties: {
                failStreams: { type: 'boolean' },
                dropConnections: { type: 'boolean' },
                failNextCalls: count,
                corruptNextReplay: { type: 'boolean' },
                deliveryDelayMs: count,
              },
            },
          },
        },
        async (request, reply) => {
          const { failStreams, dropConnections, failNextCalls, corruptNextReplay, deliveryDelayMs } = request.body
          if (failNextCalls !== undefined) controls.failNextCalls(failNextCalls)
          if (corruptNextReplay) controls.corruptNextReplay()
          if (deliveryDelayMs !== undefined) controls.setDeliveryDelay(deliveryDelayMs)
          if (failStreams) controls.failStreams()
          if (dropConnections) controls.dropConnections()
          return reply.code(204).send()
        },
      )
      api.get<{ Params: { orgId: string }; Querystring: { topic: string } }>(
        '/orgs/:orgId/events',
        { schema: { querystring: orgTopic } },
        async (request) =>
          controls.events(request.params.orgId, request.query.topic).map((event) => ({
            ...event,
            replayId: event.replayId.toString('base64'),
          })),
      )
      api.post<{ Params: { orgId: string }; Body: { topic: string; changeType: ChangeType; recordIds: string[] } }>(
        '/orgs/:orgId/gap',
        {
          schema: {
            body: {
              type: 'object',
              required: ['topic', 'changeType', 'recordIds'],
              properties: {
                topic: { type: 'string' },
                changeType: { type: 'string', enum: ['GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE'] },
                recordIds: { type: 'array', items: { type: 'string' }, minItems: 1 },
              },
            },
          },
        },
        async (request, reply) => {
          const { topic, changeType, recordIds } = request.body
          const event = controls.emitGap(request.params.orgId, topic, changeType, recordIds)
          return reply.code(201).send({ ...event, replayId: event.replayId.toString('base64') })
        },
      )
      api.post<{ Params: { orgId: string }; Body: { topic: string } }>(
        '/orgs/:orgId/overflow',
        { schema: { body: orgTopic } },
        async (request, reply) => {
          const event = controls.emitOverflow(request.params.orgId, request.body.topic)
          return reply.code(201).send({ ...event, replayId: event.replayId.toString('base64') })
        },
      )
      // The 72-hour retention on demand: events before `beforeReplayId` (base64), or all of them, are forgotten.
      api.post<{ Params: { orgId: string }; Body: { topic: string; beforeReplayId?: string } }>(
        '/orgs/:orgId/expire',
        {
          schema: {
            body: { ...orgTopic, properties: { ...orgTopic.properties, beforeReplayId: { type: 'string' } } },
          },
        },
        async (request) => {
          const { topic, beforeReplayId } = request.body
          const before = beforeReplayId === undefined ? undefined : Buffer.from(beforeReplayId, 'base64')
          return { expired: controls.expireBefore(request.params.orgId, topic, before) }
        },
      )
    },
    { prefix: '/__pubsub' },
  )
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url: `${address}/__pubsub`, close: () => app.close() }
}
