// GET /products and GET /products/{productId}.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { NotFound } from '../errors.js'
import { errorResponses, PageQuery, pageOf, SchemaRef } from '../http/schemas.js'
import type { Store } from '../store.js'
import { Product, ProductIdParams } from './schemas.js'

export async function productRoutes(app: FastifyInstance, { store }: { store: Store }) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  // The store hands back the very same page until the catalog changes, so its JSON is kept alongside it.
  const pageJson = new WeakMap<object, Buffer>()

  routes.get(
    '/products',
    {
      config: { appLink: { agentAction: { isUserInput: false, isDisplayable: true } } },
      schema: {
        operationId: 'getProducts',
        tags: ['Products'],
        summary: 'List products',
        description:
          'Products of the catalog with their current stock, ordered by id, one page at a time. Use it to find the ' +
          'id of a product the user names, or to show what the shop sells; the output gives each price and how many ' +
          'are in stock.',
        querystring: PageQuery,
        response: {
          200: Type.Array(SchemaRef(Product), { description: 'One page of products.' }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const page = await store.listProducts(pageOf(request.query))
      let json = pageJson.get(page)
      if (json === undefined) {
        json = Buffer.from(reply.serialize(page) as string)
        pageJson.set(page, json)
      }
      return reply.type('application/json; charset=utf-8').send(json as unknown as typeof page)
    },
  )

  routes.get(
    '/products/:productId',
    {
      config: { appLink: { agentAction: { isUserInput: false, isDisplayable: true } } },
      schema: {
        operationId: 'getProduct',
        tags: ['Products'],
        summary: 'Get a product',
        description: 'One product with its current stock: use it when the product id is known, e.g. to check a price.',
        params: ProductIdParams,
        response: { 200: SchemaRef(Product, { description: 'The product.' }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const product = await store.findProduct(request.params.productId)
      if (!product) throw new NotFound(`Product ${request.params.productId} does not exist.`)
      return product
    },
  )
}
