import { type Static, Type } from 'typebox'
import { AfterQuery, DateTime, Id, Int32, PageQuery } from '../http/schemas.js'

// Lengths as Product2 holds them, so a product fits its Salesforce record: Name 255, Description 4000
// (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_product2.htm).
const sku = Type.String({
  minLength: 1,
  maxLength: 64,
  // No space at either end: the SKU is matched exactly against Product2.ProductCode.
  pattern: '^\\S(.*\\S)?$',
  description: 'Stock keeping unit, unique; equal to the ProductCode of the matching Salesforce Product2.',
})
const name = Type.String({ minLength: 1, maxLength: 255, description: 'Display name.' })
const description = Type.String({ maxLength: 4000, description: 'Longer description.' })
const price = Type.Number({
  format: 'double',
  minimum: 0,
  maximum: 99_999_999.99,
  description: 'Unit price in currencyCode, at most two decimals.',
})
const currencyCode = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 currency code, e.g. USD.',
  example: 'USD',
})
const active = Type.Boolean({
  description: 'Whether the product is sold. An archived product (false) stays, with its orders, but takes no order.',
})

export const Product = Type.Object(
  {
    id: Id('Product identifier.'),
    sku,
    name,
    description,
    price,
    currencyCode,
    active,
    quantityInStock: Int32({ minimum: 0, description: 'Units available to order.' }),
    updatedAt: DateTime('When the product or its stock last changed.'),
  },
  { $id: 'Product', description: 'A product of the catalog with its current stock.' },
)

export const ProductInput = Type.Object(
  {
    sku,
    name,
    description: Type.Optional(description),
    price,
    currencyCode,
    active: Type.Optional(Type.Boolean({ ...active, default: true })),
  },
  {
    $id: 'ProductInput',
    additionalProperties: false,
    description: 'A new product. It starts with no stock: set it with setInventory.',
    example: {
      sku: 'FC-MUG-350',
      name: 'Enamel Mug 350 ml',
      description: 'Steel mug with enamel coating.',
      price: 14.5,
      currencyCode: 'USD',
    },
  },
)

export const ProductChanges = Type.Object(
  {
    name: Type.Optional(name),
    description: Type.Optional(description),
    price: Type.Optional(price),
    currencyCode: Type.Optional(currencyCode),
    active: Type.Optional(active),
  },
  {
    $id: 'ProductChanges',
    additionalProperties: false,
    minProperties: 1,
    description: 'The fields to change; the others keep their value. The SKU never changes.',
    example: { price: 12.9 },
  },
)

export const ProductIdParams = Type.Object({ productId: Id('Product identifier.', { example: 1 }) })

export const ProductsQuery = Type.Object({
  ...PageQuery.properties,
  includeInactive: Type.Optional(
    Type.Boolean({ default: false, description: 'Also list archived products (active false).' }),
  ),
  after: AfterQuery(
    'For the next page: the id of the last product of the previous page. The page then holds the products that ' +
      'follow it by id. Leave it out for the first page; stop when a page is shorter than pageSize. Unlike offset ' +
      'it stays as fast however deep the page, and a product archived between two pages makes none go missing. ' +
      'An id that does not exist, or is archived, still marks the place. Not with offset: leave offset out or 0.',
  ),
})

export type Product = Static<typeof Product>
export type ProductInput = Static<typeof ProductInput>
export type ProductChanges = Static<typeof ProductChanges>
