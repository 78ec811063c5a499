import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { errorResponses } from '../schemas/error.js'
import { Inventory, InventoryQuery, StockInput } from '../schemas/inventory.js'
import { ProductIdParams } from '../schemas/product.js'
import type { Store } from '../store/index.js'

export async function inventoryRoutes(app: FastifyInstance, { store }: { store: Store }) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.get(
    '/inventory',
    {
      schema: {
        operationId: 'getInventory',
        tags: ['Inventory'],
        summary: 'Get inventory',
        description: 'Stock of one product (productId) or of every product.',
        querystring: InventoryQuery,
        response: {
          200: Type.Array(Type.Ref(Inventory), { description: 'Stock levels, ordered by product id.' }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => store.listInventory(request.query.productId),
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
        body: Type.Ref(StockInput),
        response: {
          200: Type.Ref(Inventory, { description: 'The new stock level.' }),
          ...errorResponses(400, 401, 404, 415),
        },
      },
    },
    async (request) => store.setStock(request.params.productId, request.body.quantityInStock),
  )
}
