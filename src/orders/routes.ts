// POST /orders, GET /orders/{orderId}, GET /orders.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Database } from '../db/connect.js'
import { NotFound } from '../errors.js'
import { errorResponses, pageOf, SchemaRef } from '../http/schemas.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { idempotencyKeyOf } from './idempotency-header.js'
import { findOrder, listOrders } from './repository.js'
import { IdempotencyHeaders, Order, OrderIdParams, OrderInput, OrdersQuery } from './schemas.js'
import { placeOrder } from './service.js'

/** "2 items, 59.97 EUR" (", org 00D…" through AppLink), for a log line a person reads (pino-pretty). */
function describeOrder(order: Order): string {
  const items = order.items.length === 1 ? '1 item' : `${order.items.length} items`
  const org = order.placedBy ? `, org ${order.placedBy.orgId}` : ''
  return `${items}, ${order.totalPrice} ${order.currencyCode}${org}`
}

export async function orderRoutes(
  app: FastifyInstance,
  { db, stockEvents }: { db: Database; stockEvents: StockEventOutbox },
) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.post(
    '/orders',
    {
      config: { appLink: { agentAction: { isUserInput: true, isDisplayable: true } } },
      schema: {
        operationId: 'postOrder',
        tags: ['Orders'],
        summary: 'Place an order',
        description:
          'Places an order once the user has confirmed its products and quantities. Reserves the stock of every ' +
          'line or of none: if one product lacks stock the order is refused with 409, which says how many are ' +
          'left, and nothing changes. Send an Idempotency-Key header to make retries safe. The output is the order ' +
          'with its id, the prices captured and the total.',
        headers: IdempotencyHeaders,
        body: SchemaRef(OrderInput),
        response: {
          201: SchemaRef(Order, { description: 'The order placed.' }),
          ...errorResponses(400, 401, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { invoker } = request
      const placedBy = invoker && { orgId: invoker.orgId, userId: invoker.userId }
      const { order, replayed } = await placeOrder(
        db,
        stockEvents,
        request.body,
        idempotencyKeyOf(request.headers),
        placedBy,
      )
      if (replayed) reply.header('idempotent-replayed', 'true')
      // The business event, under the request's id. Never the customer's email: personal data stays out of logs.
      request.log.info(
        {
          orderId: order.id,
          items: order.items.length,
          total: order.totalPrice,
          currency: order.currencyCode,
          orgId: order.placedBy?.orgId,
        },
        replayed
          ? `order ${order.id} answered again (same Idempotency-Key)`
          : `order ${order.id} placed: ${describeOrder(order)}`,
      )
      return reply.code(201).send(order)
    },
  )

  routes.get(
    '/orders/:orderId',
    {
      config: { appLink: { agentAction: { isUserInput: true, isDisplayable: true } } },
      schema: {
        operationId: 'getOrder',
        tags: ['Orders'],
        summary: 'Get an order',
        description:
          'One order by its id, with its lines and the prices captured when it was placed: use it when the user ' +
          'asks about an order they placed.',
        params: OrderIdParams,
        response: { 200: SchemaRef(Order, { description: 'The order.' }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const order = await findOrder(db.kysely, request.params.orderId)
      // Through AppLink a caller sees the orders of its own org only; another org's is as if it did not exist.
      const visible = order && (!request.invoker || order.placedBy?.orgId === request.invoker.orgId)
      if (!visible) throw new NotFound(`Order ${request.params.orderId} does not exist.`)
      return order
    },
  )

  routes.get(
    '/orders',
    {
      config: { appLink: { agentAction: { isUserInput: false, isDisplayable: true } } },
      schema: {
        operationId: 'getOrders',
        tags: ['Orders'],
        summary: 'List orders',
        description:
          'Orders, newest first, one page at a time; orgId keeps those placed from one Salesforce org. Through ' +
          "Heroku AppLink only the caller's own org's orders are listed.",
        querystring: OrdersQuery,
        response: {
          200: Type.Array(SchemaRef(Order), { description: 'One page of orders.' }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { orgId } = request.query
      const { invoker } = request
      if (invoker && orgId !== undefined && orgId !== invoker.orgId) return []
      return listOrders(db.kysely, pageOf(request.query), invoker ? invoker.orgId : orgId)
    },
  )
}
