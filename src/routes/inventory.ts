import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { type StockSync, syncDisabled } from '../salesforce/stock-sync.js'
import { SchemaRef } from '../schemas/common.js'
import { errorResponses } from '../schemas/error.js'
import { Inventory, InventoryQuery, StockInput } from '../schemas/inventory.js'
import { ProductIdParams } from '../schemas/product.js'
import type { Store } from '../store/index.js'

export async function inventoryRoutes(
  app: FastifyInstance,
  { store, stockSync }: { store: Store; stockSync?: StockSync },
) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.get(
    '/inventory',
    {
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
      const items = await store.listInventory(request.query.productId)
      return stockSync ? stockSync.syncInventory(items) : syncDisabled(items)
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
    async (request) => store.setStock(request.params.productId, request.body.quantityInStock),
  )
}
