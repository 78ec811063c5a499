import { type Static, Type } from 'typebox'
import { DateTime, Id, Int32 } from '../http/schemas.js'

export const Product = Type.Object(
  {
    id: Id('Product identifier.'),
    sku: Type.String({ minLength: 1, maxLength: 64, description: 'Stock keeping unit, unique.' }),
    name: Type.String({ description: 'Display name.' }),
    description: Type.String({ description: 'Longer description.' }),
    price: Type.Number({ format: 'double', minimum: 0, description: 'Unit price in currencyCode.' }),
    currencyCode: Type.String({
      pattern: '^[A-Z]{3}$',
      description: 'ISO 4217 currency code, e.g. USD.',
      example: 'USD',
    }),
    quantityInStock: Int32({ minimum: 0, description: 'Units available to order.' }),
    updatedAt: DateTime('When the product or its stock last changed.'),
  },
  { $id: 'Product', description: 'A product of the catalog with its current stock.' },
)

export const ProductIdParams = Type.Object({ productId: Id('Product identifier.', { example: 1 }) })

export type Product = Static<typeof Product>
