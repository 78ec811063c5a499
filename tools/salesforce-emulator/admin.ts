// /__emulator/*: unauthenticated inspection and fault injection for curl, the demo and tests in other processes.
import type { FastifyInstance } from 'fastify'
import type { Controls } from './controls.js'
import type { EmulatorState } from './state.js'
import type { ApiFailure, EmulatorProduct } from './types.js'

interface Faults {
  failNextTokenRequests?: number | { count: number; error?: string; error_description?: string }
  expireAllTokens?: boolean
  failNextApiCalls?: { count: number; failure: ApiFailure }
  down?: boolean
  latencyMs?: number
}

const count = { type: 'integer', minimum: 0 }
const faultsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    failNextTokenRequests: {
      anyOf: [
        count,
        {
          type: 'object',
          required: ['count'],
          additionalProperties: false,
          properties: { count, error: { type: 'string' }, error_description: { type: 'string' } },
        },
      ],
    },
    expireAllTokens: { type: 'boolean' },
    failNextApiCalls: {
      type: 'object',
      required: ['count', 'failure'],
      additionalProperties: false,
      properties: { count, failure: { type: 'string', enum: ['unavailable', 'limit', 'server-error'] } },
    },
    down: { type: 'boolean' },
    latencyMs: count,
  },
}

export function registerAdmin(app: FastifyInstance, state: EmulatorState, controls: Controls): void {
  const faultState = () => ({
    pendingTokenFailures: state.tokenFailures.length,
    pendingApiFailures: [...state.apiFailures],
    down: state.down,
    latencyMs: state.latencyMs,
    validTokens: state.tokens.size,
  })

  app.get('/state', async () => ({
    counters: controls.counters(),
    records: controls.records(),
    events: controls.events(),
  }))
  app.get('/records', async () => controls.records())
  app.get('/events', async () => controls.events())
  app.get('/faults', async () => faultState())

  app.post<{ Body: EmulatorProduct[] }>(
    '/records',
    { schema: { body: { type: 'array', items: { type: 'object', required: ['Name'] } } } },
    async (request, reply) => {
      try {
        return reply.code(201).send(controls.addProducts(request.body))
      } catch (error) {
        return reply.code(400).send({ message: (error as Error).message })
      }
    },
  )

  app.delete<{ Params: { id: string } }>('/records/:id', async (request, reply) => {
    controls.deleteRecord(request.params.id)
    return reply.code(204).send()
  })

  app.post<{ Body: Faults }>('/faults', { schema: { body: faultsSchema } }, async (request) => {
    const { failNextTokenRequests, expireAllTokens, failNextApiCalls, down, latencyMs } = request.body
    if (typeof failNextTokenRequests === 'number') {
      controls.failNextTokenRequests(failNextTokenRequests)
    } else if (failNextTokenRequests) {
      const { count: n, error, error_description = '' } = failNextTokenRequests
      controls.failNextTokenRequests(n, error ? { error, error_description } : undefined)
    }
    if (expireAllTokens) controls.expireAllTokens()
    if (failNextApiCalls) controls.failNextApiCalls(failNextApiCalls.count, failNextApiCalls.failure)
    if (down !== undefined) controls.setDown(down)
    if (latencyMs !== undefined) controls.setLatency(latencyMs)
    return faultState()
  })

  app.post<{ Body: { username: string } }>(
    '/sessions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['username'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1 } },
        },
      },
    },
    async (request, reply) => reply.code(201).send(controls.openSession(request.body.username)),
  )

  app.post('/reset-counters', async (_request, reply) => {
    controls.resetCounters()
    return reply.code(204).send()
  })
}
