// Every shared schema, in the order they are registered with addSchema (and listed in the OpenAPI components).
import type { TSchema } from 'typebox'
import { Product, ProductChanges, ProductInput } from './catalog/schemas.js'
import { ErrorResponse } from './http/schemas.js'
import { Inventory, SalesforceSync, StockInput } from './inventory/schemas.js'
import { Order, OrderInput, OrderItem, OrderItemInput, OrderPlacedBy } from './orders/schemas.js'

export const sharedSchemas: TSchema[] = [
  ErrorResponse,
  Product,
  ProductInput,
  ProductChanges,
  OrderItemInput,
  OrderInput,
  OrderItem,
  OrderPlacedBy,
  Order,
  SalesforceSync,
  Inventory,
  StockInput,
]
