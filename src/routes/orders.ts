import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { AppError, notFound } from '../errors.js'
import { PageQuery, SchemaRef } from '../schemas/common.js'
import { errorResponses } from '../schemas/error.js'
import { IdempotencyHeaders, IdempotencyKeyValue, Order, OrderIdParams, OrderInput } from '../schemas/order.js'
import type { Store } from '../store/index.js'

const checkKey = Compile(IdempotencyKeyValue)

/** `idempotencyKey` (the contract's name, validated by the route schema) or the standard `Idempotency-Key`. */
function idempotencyKeyOf(headers: FastifyRequest['headers']): string | undefined {
  const key = headers.idempotencykey ?? headers['idempotency-key']
  if (key === undefined) return undefined
  if (typeof key !== 'string' || !checkKey.Check(key)) {
    throw new AppError(400, 'VALIDATION', 'Idempotency-Key must be one header of 1 to 255 characters.')
  }
  return key
}

export async function orderRoutes(app: FastifyInstance, { store }: { store: Store }) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.post(
    '/orders',
    {
      schema: {
        operationId: 'postOrder',
        tags: ['Orders'],
        summary: 'Place an order',
        description:
          'Reserves the stock of every line or of none: if one product lacks stock the order is refused with 409 ' +
          'and nothing changes. Send an Idempotency-Key header to make retries safe.',
        headers: IdempotencyHeaders,
        body: SchemaRef(OrderInput),
        response: {
          201: SchemaRef(Order, { description: 'The order placed.' }),
          ...errorResponses(400, 401, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { order, replayed } = await store.placeOrder(request.body, idempotencyKeyOf(request.headers))
      if (replayed) reply.header('idempotent-replayed', 'true')
      return reply.code(201).send(order)
    },
  )

  routes.get(
    '/orders/:orderId',
    {
      schema: {
        operationId: 'getOrder',
        tags: ['Orders'],
        summary: 'Get an order',
        description: 'One order with its lines and the prices captured when it was placed.',
        params: OrderIdParams,
        response: { 200: SchemaRef(Order, { description: 'The order.' }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const order = await store.findOrder(request.params.orderId)
      if (!order) throw notFound(`Order ${request.params.orderId} does not exist.`)
      return order
    },
  )

  routes.get(
    '/orders',
    {
      schema: {
        operationId: 'getOrders',
        tags: ['Orders'],
        summary: 'List orders',
        description: 'Orders, newest first, one page at a time.',
        querystring: PageQuery,
        response: {
          200: Type.Array(SchemaRef(Order), { description: 'One page of orders.' }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => store.listOrders({ pageSize: request.query.pageSize ?? 50, offset: request.query.offset ?? 0 }),
  )
}
