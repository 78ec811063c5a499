// /__emulator/*: unauthenticated inspection and fault injection for curl, the demo and tests in other processes. The
// first org's under /__emulator itself, as before; every org's under /__emulator/orgs/<orgId>, listed at /orgs.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Org, OrgRegistry } from './org-registry.js'
import type { ApiFailure, EmulatorProduct } from './types.js'

interface Faults {
  failNextTokenRequests?: number | { count: number; error?: string; error_description?: string }
  expireAllTokens?: boolean
  failNextApiCalls?: { count: number; failure: ApiFailure }
  down?: boolean
  latencyMs?: number
  apiLimit?: number
  refuseTokens?: boolean
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
    apiLimit: count,
    refuseTokens: { type: 'boolean' },
  },
}

const describeOrg = ({ handle }: Org) => ({
  orgId: handle.orgId,
  instanceUrl: handle.instanceUrl,
  username: handle.username,
  consumerKey: handle.consumerKey,
})

export function registerAdmin(app: FastifyInstance, orgs: OrgRegistry): void {
  registerOrgRoutes(app, () => orgs.first)
  app.get('/orgs', async () => orgs.all().map(describeOrg))
  app.register(
    async (scoped) => {
      const orgOf = (request: FastifyRequest) => orgs.byId((request.params as { orgId: string }).orgId)
      scoped.addHook('onRequest', async (request, reply) => {
        if (!orgOf(request)) return reply.code(404).send({ message: 'No such org' })
      })
      registerOrgRoutes(scoped, (request) => orgOf(request) as Org)
    },
    { prefix: '/orgs/:orgId' },
  )
}

/** Inspection and faults of the org `orgOf` finds for a request. */
function registerOrgRoutes(app: FastifyInstance, orgOf: (request: FastifyRequest) => Org): void {
  const faultState = ({ state }: Org) => ({
    pendingTokenFailures: state.tokenFailures.length,
    pendingApiFailures: [...state.apiFailures],
    down: state.down,
    latencyMs: state.latencyMs,
    validTokens: state.tokens.size,
    apiLimit: state.apiLimit,
    refusingTokens: state.tokenRefusal !== undefined,
  })

  const controls = (request: FastifyRequest) => orgOf(request).handle

  app.get('/state', async (request) => ({
    counters: controls(request).counters(),
    records: controls(request).records(),
    events: controls(request).events(),
  }))
  app.get('/records', async (request) => controls(request).records())
  app.get('/price-entries', async (request) => controls(request).priceEntries())
  app.get('/events', async (request) => controls(request).events())
  app.get('/faults', async (request) => faultState(orgOf(request)))

  app.post<{ Body: EmulatorProduct[] }>(
    '/records',
    { schema: { body: { type: 'array', items: { type: 'object', required: ['Name'] } } } },
    async (request, reply) => {
      try {
        return reply.code(201).send(controls(request).addProducts(request.body))
      } catch (error) {
        return reply.code(400).send({ message: (error as Error).message })
      }
    },
  )

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/records/:id',
    { schema: { body: { type: 'object' } } },
    async (request, reply) => {
      try {
        controls(request).updateRecord(request.params.id, request.body)
        return reply.code(204).send()
      } catch (error) {
        return reply.code(400).send({ message: (error as Error).message })
      }
    },
  )

  app.put<{ Params: { id: string }; Body: { unitPrice: number; isActive?: boolean } }>(
    '/records/:id/standard-price',
    {
      schema: {
        body: {
          type: 'object',
          required: ['unitPrice'],
          additionalProperties: false,
          properties: { unitPrice: { type: 'number' }, isActive: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      const { unitPrice, isActive } = request.body
      try {
        return reply.send(controls(request).setStandardPrice(request.params.id, unitPrice, isActive))
      } catch (error) {
        return reply.code(400).send({ message: (error as Error).message })
      }
    },
  )

  app.delete<{ Params: { id: string } }>('/records/:id', async (request, reply) => {
    try {
      controls(request).deleteRecord(request.params.id)
      return reply.code(204).send()
    } catch (error) {
      return reply.code(400).send({ message: (error as Error).message })
    }
  })

  app.post<{ Params: { id: string } }>('/records/:id/undelete', async (request, reply) => {
    try {
      controls(request).undeleteRecord(request.params.id)
      return reply.code(204).send()
    } catch (error) {
      return reply.code(404).send({ message: (error as Error).message })
    }
  })

  app.post<{ Body: Faults }>('/faults', { schema: { body: faultsSchema } }, async (request) => {
    const org = controls(request)
    const { failNextTokenRequests, expireAllTokens, failNextApiCalls, down, latencyMs, apiLimit, refuseTokens } =
      request.body
    if (typeof failNextTokenRequests === 'number') {
      org.failNextTokenRequests(failNextTokenRequests)
    } else if (failNextTokenRequests) {
      const { count: n, error, error_description = '' } = failNextTokenRequests
      org.failNextTokenRequests(n, error ? { error, error_description } : undefined)
    }
    if (expireAllTokens) org.expireAllTokens()
    if (failNextApiCalls) org.failNextApiCalls(failNextApiCalls.count, failNextApiCalls.failure)
    if (down !== undefined) org.setDown(down)
    if (latencyMs !== undefined) org.setLatency(latencyMs)
    if (apiLimit !== undefined) org.setApiLimit(apiLimit)
    if (refuseTokens !== undefined) org.refuseTokens(refuseTokens)
    return faultState(orgOf(request))
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
    async (request, reply) => reply.code(201).send(controls(request).openSession(request.body.username)),
  )

  app.post('/reset-counters', async (request, reply) => {
    controls(request).resetCounters()
    return reply.code(204).send()
  })
}
