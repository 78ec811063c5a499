import { type Static, Type } from 'typebox'
import { AfterQuery, DateTime, Id, Int32, PageQuery, SalesforceId, SchemaRef, StringEnum } from '../http/schemas.js'

export const OrderItemInput = Type.Object(
  {
    productId: Id('Product to order.'),
    quantity: Int32({ minimum: 1, maximum: 10_000, description: 'Units to order (1–10000).' }),
  },
  { $id: 'OrderItemInput', additionalProperties: false, example: { productId: 1, quantity: 1 } },
)

export const OrderInput = Type.Object(
  {
    items: Type.Array(SchemaRef(OrderItemInput), {
      minItems: 1,
      maxItems: 100,
      description: 'Products and quantities (1–100 lines); lines for the same product are merged.',
    }),
    customerEmail: Type.Optional(
      Type.String({
        format: 'email',
        maxLength: 254,
        description: 'Email address of who ordered.',
        // Personal data, for Agentforce (https://devcenter.heroku.com/articles/openapi-spec-heroku-applink).
        'x-sfdc': { privacy: { isPii: true } },
      }),
    ),
  },
  {
    $id: 'OrderInput',
    additionalProperties: false,
    description: 'An order to place.',
    // The example "Try it out" in /docs sends: one unit of a product the demo catalog has in stock.
    example: { items: [{ productId: 1, quantity: 1 }], customerEmail: 'ada@example.com' },
  },
)

export const OrderItem = Type.Object(
  {
    orderItemId: Id('Order line identifier.'),
    productId: Id('Product ordered.'),
    sku: Type.String({ description: 'Product SKU at order time.' }),
    name: Type.String({ description: 'Product name at order time.' }),
    quantity: Int32({ minimum: 1, description: 'Units ordered.' }),
    unitPrice: Type.Number({ format: 'double', description: 'Price of one unit at order time.' }),
    itemTotalPrice: Type.Number({ format: 'double', description: 'unitPrice × quantity.' }),
  },
  { $id: 'OrderItem' },
)

export const OrderPlacedBy = Type.Object(
  {
    orgId: SalesforceId('The Salesforce org the order came from.'),
    userId: SalesforceId('The Salesforce user who ran the Flow, Apex or agent that placed it.'),
  },
  { $id: 'OrderPlacedBy', description: 'Who placed the order, as Heroku AppLink named them.' },
)

/** Who places an order: the org, and the user when the mode knows it (AppLink). */
export interface PlacedFrom {
  orgId: string
  userId?: string
}

export const Order = Type.Object(
  {
    id: Id('Order identifier.'),
    status: StringEnum(['placed'], { description: 'Order status.' }),
    createdAt: DateTime('When the order was placed.'),
    customerEmail: Type.Optional(
      Type.String({ description: 'Email address of who ordered, when given.', 'x-sfdc': { privacy: { isPii: true } } }),
    ),
    currencyCode: Type.String({ description: 'ISO 4217 currency of every price in the order.' }),
    items: Type.Array(SchemaRef(OrderItem), { description: 'Order lines, prices captured at order time.' }),
    totalPrice: Type.Number({ format: 'double', description: 'Sum of itemTotalPrice.' }),
    placedBy: Type.Optional(
      SchemaRef(OrderPlacedBy, { description: 'Who placed it; only on orders placed through Heroku AppLink.' }),
    ),
  },
  {
    $id: 'Order',
    description: 'A placed order; its stock is reserved.',
    example: {
      id: 1,
      status: 'placed',
      createdAt: '2026-12-01T09:30:00.000Z',
      customerEmail: 'ada@example.com',
      currencyCode: 'USD',
      items: [
        {
          orderItemId: 1,
          productId: 1,
          sku: 'FC-TENT-2P',
          name: 'Trail Tent 2P',
          quantity: 1,
          unitPrice: 249,
          itemTotalPrice: 249,
        },
      ],
      totalPrice: 249,
    },
  },
)

export const OrderIdParams = Type.Object({ orderId: Id('Order identifier.', { example: 1 }) })

export const OrdersQuery = Type.Object({
  ...PageQuery.properties,
  orgId: Type.Optional(SalesforceId("The caller's own Salesforce org; another org gives an empty list.")),
  after: AfterQuery(
    'For the next page: the id of the last order of the previous page. The page then holds the orders that ' +
      'follow it in the list: older ones, with smaller ids. Leave it out for the first page; stop when a page is ' +
      'shorter than pageSize. Unlike offset it stays as fast however deep the page, and an order placed between ' +
      "two pages makes none appear twice. An id that does not exist, or is another org's order, still marks the " +
      'place. Not with offset: leave offset out or 0.',
  ),
})

// Declared as `idempotencyKey`: a hyphen in the contract would reach Flow as `idempotencyx2dkey`.
export const IdempotencyHeaders = Type.Object({
  idempotencyKey: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Makes a retry safe: the same key with the same body returns the first answer and places nothing new; ' +
        'with a different body it is refused (422). Kept for at least 24 hours. The standard spelling ' +
        'Idempotency-Key is accepted too.',
    }),
  ),
})

export type OrderInput = Static<typeof OrderInput>
export type Order = Static<typeof Order>
export type OrderPlacedBy = Static<typeof OrderPlacedBy>
