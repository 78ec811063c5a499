// Every shared schema, in the order they are registered with addSchema (and listed in the OpenAPI components).
import type { TSchema } from 'typebox'
import { ErrorResponse } from './error.js'
import { Inventory, SalesforceSync, StockInput } from './inventory.js'
import { Order, OrderInput, OrderItem, OrderItemInput } from './order.js'
import { Product } from './product.js'

export const sharedSchemas: TSchema[] = [
  ErrorResponse,
  Product,
  OrderItemInput,
  OrderInput,
  OrderItem,
  Order,
  SalesforceSync,
  Inventory,
  StockInput,
]
