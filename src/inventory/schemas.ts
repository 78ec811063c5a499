import { type Static, Type } from 'typebox'
import { DateTime, Id, Int32, SchemaRef, StringEnum } from '../http/schemas.js'

export const SalesforceSync = Type.Object(
  {
    status: StringEnum(['updated', 'notFound', 'disabled', 'failed'], {
      description:
        'updated: Product2 now holds this stock; notFound: no Product2 matches the SKU; disabled: Salesforce is ' +
        'not configured on this service; failed: Salesforce refused this record (see message).',
    }),
    recordId: Type.Optional(Type.String({ description: 'The Product2 record Id, when one matched.' })),
    message: Type.Optional(
      Type.String({
        description:
          "Why the record was not updated: Salesforce's status code (e.g. UNABLE_TO_LOCK_ROW) and, for a " +
          "validation rule, the rule's own error message.",
      }),
    ),
  },
  { $id: 'SalesforceSync', description: 'What happened to the matching Product2 record during this call.' },
)

export const Inventory = Type.Object(
  {
    productId: Id('Product identifier.'),
    sku: Type.String({ description: 'Product SKU.' }),
    quantityInStock: Int32({ minimum: 0, description: 'Units available to order.' }),
    updatedAt: DateTime('When the stock last changed.'),
    salesforceSync: Type.Optional(
      SchemaRef(SalesforceSync, {
        description: 'Set by getInventory: the result of writing this stock into Product2.',
      }),
    ),
  },
  { $id: 'Inventory', description: 'Stock of one product.' },
)

export const InventoryQuery = Type.Object({
  productId: Type.Optional(Id('Only this product; all products when absent.')),
})

export const StockInput = Type.Object(
  { quantityInStock: Int32({ minimum: 0, maximum: 2_000_000_000, description: 'New stock level (absolute).' }) },
  {
    $id: 'StockInput',
    additionalProperties: false,
    description: 'The stock level to set.',
    example: { quantityInStock: 25 },
  },
)

export type Inventory = Static<typeof Inventory>
export type SalesforceSync = Static<typeof SalesforceSync>
