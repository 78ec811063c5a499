// POST /orders, GET /orders/{orderId}, GET /orders.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Database } from '../db/connect.js'
import { NotFound } from '../errors.js'
import { errorResponses, pageOf, SchemaRef } from '../http/schemas.js'
import { namesOrg } from '../orgs/org-id.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { idempotencyKeyOf } from './idempotency-header.js'
import { findOrder, listOrders, type OrderScope } from './repository.js'
import { IdempotencyHeaders, Order, OrderIdParams, OrderInput, OrdersQuery, type PlacedFrom } from './schemas.js'
import { placeOrder } from './service.js'

/** The orders a request sees: its org's (AppLink's invoker, a registered org's login), or the default login's. */
const scopeOf = (request: FastifyRequest): OrderScope => ({
  orgId: request.invoker?.orgId ?? request.orgLogin ?? null,
})

/** "2 items, 59.97 EUR" (", org 00D…" when an org placed it), for a log line a person reads (pino-pretty). */
function describeOrder(order: Order, orgId: string | undefined): string {
  const items = order.items.length === 1 ? '1 item' : `${order.items.length} items`
  const org = orgId ? `, org ${orgId}` : ''
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
      const { invoker, orgLogin } = request
      // Who places it: the AppLink invoker (org and user), a registered org's login (its org), or the default login.
      const placedBy: PlacedFrom | undefined = invoker
        ? { orgId: invoker.orgId, userId: invoker.userId }
        : orgLogin !== undefined
          ? { orgId: orgLogin }
          : undefined
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
          orgId: placedBy?.orgId,
        },
        replayed
          ? `order ${order.id} answered again (same Idempotency-Key)`
          : `order ${order.id} placed: ${describeOrder(order, placedBy?.orgId)}`,
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
      // A caller sees the orders of its own org only; another org's is as if it did not exist.
      const order = await findOrder(db.kysely, request.params.orderId, scopeOf(request))
      if (!order) throw new NotFound(`Order ${request.params.orderId} does not exist.`)
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
          "Orders, newest first, one page at a time: the caller's own org's orders only (orgId, if given, must " +
          'name that org; another gives an empty list).',
        querystring: OrdersQuery,
        response: {
          200: Type.Array(SchemaRef(Order), { description: 'One page of orders.' }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { orgId } = request.query
      const scope = scopeOf(request)
      if (orgId !== undefined && !namesOrg(orgId, scope.orgId)) return []
      return listOrders(db.kysely, pageOf(request.query), scope)
    },
  )
}
