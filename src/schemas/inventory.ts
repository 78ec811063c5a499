import { Type } from '@sinclair/typebox'
import { DateTime, Id, Int32 } from './common.js'

export const Inventory = Type.Object(
  {
    productId: Id('Product identifier.'),
    sku: Type.String({ description: 'Product SKU.' }),
    quantityInStock: Int32({ minimum: 0, description: 'Units available to order.' }),
    updatedAt: DateTime('When the stock last changed.'),
  },
  { $id: 'Inventory', description: 'Stock of one product.' },
)

export const InventoryQuery = Type.Object({
  productId: Type.Optional(Id('Only this product; all products when absent.')),
})

export const StockInput = Type.Object(
  { quantityInStock: Int32({ minimum: 0, maximum: 2_000_000_000, description: 'New stock level (absolute).' }) },
  { $id: 'StockInput', additionalProperties: false, description: 'The stock level to set.' },
)
