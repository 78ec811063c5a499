// A product's fields as the API names them, turned into what is stored, and what differs from what is stored.
import type { Selectable, Updateable } from 'kysely'
import type { ProductsTable } from '../db/tables.js'
import { toCents } from '../db/values.js'
import { InvalidInput } from '../errors.js'
import type { ProductFields } from './repository.js'
import type { ProductChanges, ProductInput } from './schemas.js'

export function centsOf(price: number): number {
  const cents = toCents(price)
  if (cents === undefined) throw new InvalidInput(`price ${price} has more than two decimals.`)
  return cents
}

/** What a new product stores; `now` is when it is archived if it is created inactive. */
export function newProductFields(input: ProductInput, now: string): ProductFields {
  return {
    name: input.name,
    description: input.description ?? '',
    price_cents: centsOf(input.price),
    currency_code: input.currencyCode,
    archived_at: input.active === false ? now : null,
  }
}

/**
 * Only the columns whose value changes (undefined when none does), so a change that changes nothing writes nothing
 * and keeps updatedAt. Archiving keeps the first archive time; reactivating clears it.
 */
export function changedColumns(
  row: Selectable<ProductsTable>,
  changes: ProductChanges,
  now: string,
): Updateable<ProductsTable> | undefined {
  const changed: Updateable<ProductsTable> = {}
  if (changes.name !== undefined && changes.name !== row.name) changed.name = changes.name
  if (changes.description !== undefined && changes.description !== row.description) {
    changed.description = changes.description
  }
  if (changes.price !== undefined) {
    const cents = centsOf(changes.price)
    if (cents !== Number(row.price_cents)) changed.price_cents = cents
  }
  if (changes.currencyCode !== undefined && changes.currencyCode !== row.currency_code) {
    changed.currency_code = changes.currencyCode
  }
  if (changes.active !== undefined && changes.active !== (row.archived_at === null)) {
    changed.archived_at = changes.active ? null : now
  }
  return Object.keys(changed).length > 0 ? changed : undefined
}
