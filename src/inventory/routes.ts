// GET /inventory (written into Salesforce on the way) and PUT /inventory/{productId}.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ProductIdParams } from '../catalog/schemas.js'
import type { Database } from '../db/connect.js'
import { NotFound } from '../errors.js'
import { errorResponses, SchemaRef } from '../http/schemas.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { StockSync } from '../salesforce/stock-sync.js'
import { listInventory } from './repository.js'
import { syncDisabled, withSalesforceSync } from './salesforce-sync.js'
import { Inventory, InventoryQuery, StockInput } from './schemas.js'
import { setStock } from './service.js'

export async function inventoryRoutes(
  app: FastifyInstance,
  {
    db,
    stockEvents,
    stockSyncFor,
  }: {
    db: Database
    stockEvents: StockEventOutbox
    stockSyncFor: (request: FastifyRequest) => StockSync | undefined
  },
) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.get(
    '/inventory',
    {
      // Writing Product2 may need more than the invoking user's own permissions (applink-document.ts).
      config: { appLink: { agentAction: { isUserInput: false, isDisplayable: true }, elevated: true } },
      schema: {
        operationId: 'getInventory',
        tags: ['Inventory'],
        summary: 'Get inventory',
        description:
          'Stock of one product (productId) or of every product, written into the matching Salesforce Product2 ' +
          'records on the way: each item says in salesforceSync whether its record was updated. If Salesforce ' +
          'cannot be reached or refuses the integration user, the call fails (502/503) so the Flow takes its fault path.',
        querystring: InventoryQuery,
        response: {
          200: Type.Array(SchemaRef(Inventory), { description: 'Stock levels, ordered by product id.' }),
          ...errorResponses(400, 401, 404, 502, 503),
        },
      },
    },
    async (request) => {
      const { productId } = request.query
      const items = await listInventory(db.kysely, productId)
      if (productId !== undefined && items.length === 0) throw new NotFound(`Product ${productId} does not exist.`)
      const stockSync = stockSyncFor(request)
      return stockSync ? withSalesforceSync(await stockSync.syncInventory(items, request.log)) : syncDisabled(items)
    },
  )

  routes.put(
    '/inventory/:productId',
    {
      schema: {
        operationId: 'setInventory',
        tags: ['Inventory'],
        summary: 'Set inventory',
        description: 'Sets the stock level of one product (an absolute count, e.g. after a stocktake).',
        params: ProductIdParams,
        body: SchemaRef(StockInput),
        response: {
          200: SchemaRef(Inventory, { description: 'The new stock level.' }),
          ...errorResponses(400, 401, 404, 413, 415),
        },
      },
    },
    async (request) => {
      const stock = await setStock(db, stockEvents, request.params.productId, request.body.quantityInStock)
      request.log.info(
        { productId: stock.productId, quantity: stock.quantityInStock },
        `stock of product ${stock.productId} set to ${stock.quantityInStock}`,
      )
      return stock
    },
  )
}
