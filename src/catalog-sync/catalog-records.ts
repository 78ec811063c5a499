// The products as Salesforce describes them: each product follows one Product2 and its standard PricebookEntry, and
// what Salesforce says of them is written onto the product in the transaction that applies it. A product is sold
// (active) while its Product2 is active and not deleted and it has an active standard price; otherwise it is archived,
// never deleted, since orders point at it.
import type { Kysely, Selectable } from 'kysely'
import type { CatalogRecordsTable, ProductsTable, Tables } from '../db/tables.js'
import { toIso } from '../db/values.js'

/** What Salesforce holds for one product, merged from the import, change events and re-reads. */
export interface SourceState {
  product2Id: string
  sku: string | null
  name: string
  description: string | null
  product2Active: boolean
  product2Deleted: boolean
  priceEntryId: string | null
  /** null: no standard price known (a product new to flowcart is then priced 0 and archived). */
  unitPrice: number | null
  priceActive: boolean
  /** The stock field's value: only a product new to flowcart takes it, as its starting stock. */
  stock: number | null
}

export interface StoredProduct {
  product: Selectable<ProductsTable>
  record: Selectable<CatalogRecordsTable>
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged' | 'skipped'

const flag = (value: boolean) => (value ? 1 : 0)

/** A SKU is a product's identity in flowcart and in Salesforce's match field: blank is none. */
export const skuOf = (sku: string | null | undefined) => (sku?.trim() ? sku.trim() : null)

export function stateOf({ product, record }: StoredProduct): SourceState {
  return {
    product2Id: record.product2_id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    product2Active: record.product2_active === 1,
    product2Deleted: record.product2_deleted === 1,
    priceEntryId: record.price_entry_id,
    unitPrice: record.price_entry_id === null ? null : Number(product.price_cents) / 100,
    priceActive: record.price_active === 1,
    stock: product.quantity_in_stock,
  }
}

const sellable = (state: SourceState) =>
  state.product2Active && !state.product2Deleted && state.priceEntryId !== null && state.priceActive

// Salesforce's Currency fields carry up to 18 digits with the scale the field defines (2 for UnitPrice by default);
// flowcart keeps cents, so a price is rounded to them.
const centsOf = (unitPrice: number | null) => (unitPrice === null ? 0 : Math.max(0, Math.round(unitPrice * 100)))

function storedQuery(trx: Kysely<Tables>) {
  return trx
    .selectFrom('catalog_records as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .selectAll('p')
    .select([
      'r.product_id',
      'r.product2_id',
      'r.product2_active',
      'r.product2_deleted',
      'r.price_entry_id',
      'r.price_active',
    ])
}

type StoredRow = Awaited<ReturnType<ReturnType<typeof storedQuery>['executeTakeFirstOrThrow']>>

function toStored(row: StoredRow): StoredProduct {
  const { product_id, product2_id, product2_active, product2_deleted, price_entry_id, price_active, ...product } = row
  return {
    product: product as Selectable<ProductsTable>,
    record: { product_id, product2_id, product2_active, product2_deleted, price_entry_id, price_active },
  }
}

export async function findByProduct2(trx: Kysely<Tables>, product2Id: string) {
  const row = await storedQuery(trx).where('r.product2_id', '=', product2Id).executeTakeFirst()
  return row && toStored(row)
}

export async function findByPriceEntry(trx: Kysely<Tables>, priceEntryId: string) {
  const row = await storedQuery(trx).where('r.price_entry_id', '=', priceEntryId).executeTakeFirst()
  return row && toStored(row)
}

/**
 * A batch's products by Product2 Id, in one query; an Id the catalog does not follow maps to undefined. Read once per
 * batch rather than once per change: on PostgreSQL each statement is a round trip, and a change was three of them.
 */
export async function findManyByProduct2(
  trx: Kysely<Tables>,
  product2Ids: string[],
): Promise<Map<string, StoredProduct | undefined>> {
  const found = new Map<string, StoredProduct | undefined>(product2Ids.map((id) => [id, undefined]))
  for (let i = 0; i < product2Ids.length; i += 500) {
    const rows = await storedQuery(trx)
      .where('r.product2_id', 'in', product2Ids.slice(i, i + 500))
      .execute()
    for (const row of rows) found.set(row.product2_id, toStored(row))
  }
  return found
}

/**
 * Writes what Salesforce says of a product. A Product2 without a SKU makes no product (one that had a product keeps
 * it, archived, under its old SKU); a SKU that another product follows another Product2 for is a conflict: skipped.
 */
export async function writeSourceState(
  trx: Kysely<Tables>,
  state: SourceState,
  options: { currencyCode: string; now: string },
  /** What the catalog holds for the Product2 now, when the caller has read it already. */
  known?: { stored: StoredProduct | undefined },
): Promise<{ outcome: WriteOutcome; productId?: number; reason?: string }> {
  const stored = known ? known.stored : await findByProduct2(trx, state.product2Id)
  const sku = skuOf(state.sku)
  // Archiving keeps the first archive time; selling again clears it.
  const keptOrNow = (current: string | Date | null | undefined) => (current ? toIso(current) : options.now)
  const archivedAt = (current: string | Date | null | undefined) => (sellable(state) && sku ? null : keptOrNow(current))
  if (stored) {
    const { product } = stored
    const keepSku = !sku || sku === product.sku
    if (!keepSku) {
      const holder = await trx.selectFrom('products').select('id').where('sku', '=', sku).executeTakeFirst()
      if (holder) return { outcome: 'skipped', reason: `the SKU ${sku} is another product's` }
    }
    const changes = {
      ...(keepSku ? {} : { sku: sku as string }),
      name: state.name,
      description: state.description ?? '',
      ...(state.priceEntryId === null ? {} : { price_cents: centsOf(state.unitPrice) }),
      archived_at: sku ? archivedAt(product.archived_at) : keptOrNow(product.archived_at),
    }
    const record = {
      product2_active: flag(state.product2Active),
      product2_deleted: flag(state.product2Deleted),
      price_entry_id: state.priceEntryId,
      price_active: flag(state.priceActive),
    }
    const sameProduct =
      (changes.sku === undefined || changes.sku === product.sku) &&
      changes.name === product.name &&
      changes.description === product.description &&
      (changes.price_cents === undefined || changes.price_cents === Number(product.price_cents)) &&
      (changes.archived_at === null) === (product.archived_at === null)
    const sameRecord =
      record.product2_active === stored.record.product2_active &&
      record.product2_deleted === stored.record.product2_deleted &&
      record.price_entry_id === stored.record.price_entry_id &&
      record.price_active === stored.record.price_active
    if (sameProduct && sameRecord) return { outcome: 'unchanged', productId: product.id }
    if (!sameProduct) {
      await trx
        .updateTable('products')
        .set({ ...changes, updated_at: options.now })
        .where('id', '=', product.id)
        .execute()
    }
    if (!sameRecord) {
      await trx.updateTable('catalog_records').set(record).where('product_id', '=', product.id).execute()
    }
    return { outcome: 'updated', productId: product.id }
  }
  if (!sku) return { outcome: 'skipped', reason: 'no SKU' }
  // A product flowcart already has under this SKU starts following the Product2 (its stock stays flowcart's).
  const existing = await trx.selectFrom('products').selectAll().where('sku', '=', sku).executeTakeFirst()
  if (existing) {
    const follows = await trx
      .selectFrom('catalog_records')
      .select(['product2_id', 'product2_deleted'])
      .where('product_id', '=', existing.id)
      .executeTakeFirst()
    // A Product2 deleted and made again with its SKU: the product (its id, orders, stock) follows the new one.
    if (follows?.product2_deleted === 1) {
      await trx.deleteFrom('catalog_records').where('product_id', '=', existing.id).execute()
    } else if (follows) {
      return { outcome: 'skipped', reason: `the SKU ${sku} is already Product2 ${follows.product2_id}'s` }
    }
  }
  const fields = {
    name: state.name,
    description: state.description ?? '',
    price_cents: state.priceEntryId === null ? Number(existing?.price_cents ?? 0) : centsOf(state.unitPrice),
    archived_at: archivedAt(existing?.archived_at),
    updated_at: options.now,
  }
  let productId: number
  if (existing) {
    await trx.updateTable('products').set(fields).where('id', '=', existing.id).execute()
    productId = existing.id
  } else {
    const inserted = await trx
      .insertInto('products')
      .values({ sku, ...fields, currency_code: options.currencyCode, quantity_in_stock: startingStock(state.stock) })
      .returning('id')
      .executeTakeFirstOrThrow()
    productId = inserted.id
  }
  await trx
    .insertInto('catalog_records')
    .values({
      product_id: productId,
      product2_id: state.product2Id,
      product2_active: flag(state.product2Active),
      product2_deleted: flag(state.product2Deleted),
      price_entry_id: state.priceEntryId,
      price_active: flag(state.priceActive),
    })
    .execute()
  return { outcome: existing ? 'updated' : 'created', productId }
}

/** A Product2's stock field as a starting level: a whole number of at least 0, or none. */
function startingStock(stock: number | null): number {
  return stock !== null && Number.isInteger(stock) && stock >= 0 && stock <= MAX_STOCK ? stock : 0
}

/** The largest stock a product holds (an integer column on both engines). */
export const MAX_STOCK = 2_147_483_647

/**
 * After a whole import: a product following a Product2 that Salesforce no longer answers is deleted there (archived
 * here), and a product that follows none is not the master's (archived too). Returns how many were archived.
 */
export async function archiveProductsOutside(trx: Kysely<Tables>, product2Ids: Set<string>, now: string) {
  const records = await trx.selectFrom('catalog_records').select(['product_id', 'product2_id']).execute()
  const gone = records.filter((record) => !product2Ids.has(record.product2_id)).map((record) => record.product_id)
  let archived = 0
  for (let i = 0; i < gone.length; i += 500) {
    const ids = gone.slice(i, i + 500)
    await trx.updateTable('catalog_records').set({ product2_deleted: 1 }).where('product_id', 'in', ids).execute()
    const result = await trx
      .updateTable('products')
      .set({ archived_at: now, updated_at: now })
      .where('id', 'in', ids)
      .where('archived_at', 'is', null)
      .executeTakeFirst()
    archived += Number(result.numUpdatedRows)
  }
  const unfollowed = await trx
    .updateTable('products')
    .set({ archived_at: now, updated_at: now })
    .where('archived_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('catalog_records').select('product_id').whereRef('catalog_records.product_id', '=', 'products.id'),
        ),
      ),
    )
    .executeTakeFirst()
  return archived + Number(unfollowed.numUpdatedRows)
}
