// GET /products, GET /products/{productId}, POST /products and PATCH /products/{productId}.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Database } from '../db/connect.js'
import { CatalogFromSalesforce, NotFound } from '../errors.js'
import { ErrorResponse, errorResponses, pageOf, SchemaRef } from '../http/schemas.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { productPages } from './product-pages.js'
import { findProduct } from './repository.js'
import { Product, ProductChanges, ProductIdParams, ProductInput, ProductsQuery } from './schemas.js'
import { createProduct, updateProduct } from './service.js'

export async function productRoutes(
  app: FastifyInstance,
  {
    db,
    stockEvents,
    catalogFromSalesforce,
  }: {
    db: Database
    stockEvents: StockEventOutbox
    /** The catalog follows Salesforce: flowcart's own catalog writes are refused (409 CATALOG_FROM_SALESFORCE). */
    catalogFromSalesforce: boolean
  },
) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  const oneMaster = catalogFromSalesforce
    ? {
        preHandler: async () => {
          throw new CatalogFromSalesforce()
        },
      }
    : {}
  const listProducts = productPages(db)
  // productPages hands back the very same page until the catalog changes, so its JSON is kept alongside it.
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
          'are in stock. Archived products (no longer sold) are left out unless includeInactive is true.',
        querystring: ProductsQuery,
        response: {
          200: Type.Array(SchemaRef(Product), { description: 'One page of products.' }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const page = await listProducts(pageOf(request.query), request.query.includeInactive)
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
      const product = await findProduct(db.kysely, request.params.productId)
      if (!product) throw new NotFound(`Product ${request.params.productId} does not exist.`)
      return product
    },
  )

  routes.post(
    '/products',
    {
      // Catalog changes are an admin's (or a Flow's) to make, not offered to agents, like setInventory.
      schema: {
        operationId: 'createProduct',
        tags: ['Products'],
        summary: 'Create a product',
        description:
          'Adds a product to the catalog, with no stock yet (set it with setInventory). The SKU must be new: it is ' +
          "how flowcart and Salesforce know the product (Product2's ProductCode). The output is the product with " +
          'its id.',
        body: SchemaRef(ProductInput),
        response: {
          201: SchemaRef(Product, { description: 'The product created.' }),
          ...errorResponses(400, 401, 413, 415),
          409: SchemaRef(ErrorResponse, {
            description:
              'Another product has this SKU (code SKU_TAKEN), or the catalog follows Salesforce (code CATALOG_FROM_SALESFORCE).',
          }),
        },
      },
      ...oneMaster,
    },
    async (request, reply) => reply.code(201).send(await createProduct(db, stockEvents, request.body)),
  )

  routes.patch(
    '/products/:productId',
    {
      schema: {
        operationId: 'updateProduct',
        tags: ['Products'],
        summary: 'Change a product',
        description:
          'Changes the fields given (name, description, price, currency, active) and keeps the others. To stop ' +
          'selling a product, set active to false: it is archived, never deleted, so its orders keep it, and it ' +
          'takes no new order until it is active again. Prices of orders already placed do not change.',
        params: ProductIdParams,
        body: SchemaRef(ProductChanges),
        response: {
          200: SchemaRef(Product, { description: 'The product as it is now.' }),
          ...errorResponses(400, 401, 404, 413, 415),
          409: SchemaRef(ErrorResponse, {
            description: 'The catalog follows Salesforce: change the product there (code CATALOG_FROM_SALESFORCE).',
          }),
        },
      },
      ...oneMaster,
    },
    async (request) => updateProduct(db, request.params.productId, request.body),
  )
}
