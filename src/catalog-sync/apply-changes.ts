// Applying one org's change events, a batch at a time, each batch in one transaction with the replay id of its last
// event: a crash leaves either the whole batch applied and its position stored, or neither, and the stream resumes
// right after the position stored. Event ids applied are recorded in the same transaction, so an event delivered
// again is skipped. The org's catalog master applies everything; every other org only has its stock edits settled.
import type { Kysely } from 'kysely'
import type { Database } from '../db/connect.js'
import type { Tables } from '../db/tables.js'
import { DatabaseUnavailable } from '../errors.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { DecodedEvent } from '../pubsub/topic-subscription.js'
import { SalesforceError } from '../salesforce/errors.js'
import { FLOWCART_CLIENT_ID } from '../salesforce/names.js'
import { DEFAULT_ORG_KEY } from '../salesforce/product-ids.js'
import type { StockLevel } from '../salesforce/stock-sync.js'
import type { SalesforceLogger } from '../salesforce/token-provider.js'
import {
  findByPriceEntry,
  findByProduct2,
  findManyByProduct2,
  type SourceState,
  type StoredProduct,
  skuOf,
  stateOf,
  writeSourceState,
} from './catalog-records.js'
import {
  type CatalogSnapshot,
  pricesByProduct,
  readSnapshot,
  stateOfRecords,
  writeSnapshot,
} from './catalog-snapshot.js'
import { isGap, madeBy, namesWholeObject, type RecordChange, recordChangeOf } from './change-events.js'
import { firstDeliveries, forgetReplayIds, saveReplayId } from './checkpoints.js'
import type { PriceEntryRecord, Product2Record, SalesforceCatalog } from './salesforce-catalog.js'
import { settleStockEdit } from './stock-edits.js'
import { checkLease } from './subscriber-lease.js'

export const PRODUCT_TOPIC = '/data/Product2ChangeEvent'
export const PRICE_TOPIC = '/data/PricebookEntryChangeEvent'

export interface ApplierOptions {
  db: Database
  stockEvents: StockEventOutbox
  orgKey: string
  /** This process's lease holder id (subscriber-lease.ts). */
  holder: string
  /** Whether this org's products are the catalog; otherwise only its stock edits count. */
  master: boolean
  salesforce: SalesforceCatalog
  matchField: string
  stockField: string
  currencyCode: string
  stockEdits: 'overwrite' | 'accept'
  /** Writes flowcart's level back into the org's Product2 records (an overwrite), after the commit. */
  writeStock(levels: StockLevel[]): Promise<void>
  logger: SalesforceLogger
}

/** Salesforce's current records for a batch's gap events and unknown records, read before its transaction. */
interface Rereads {
  whole?: CatalogSnapshot
  products: Map<string, Product2Record>
  /** Standard price book entries, by Product2 Id and by entry Id. */
  pricesOfProducts: Map<string, PriceEntryRecord>
  /** Whether the standard prices of the re-read products were asked for (not when the org has no standard book). */
  pricesOfProductsAsked: boolean
  prices: Map<string, PriceEntryRecord>
  /** Ids that were asked for: one not answered is deleted. */
  askedProducts: Set<string>
  askedPrices: Set<string>
}

export function changeApplier(options: ApplierOptions) {
  const { db, orgKey, holder, master, salesforce, matchField, stockField, logger } = options
  const writeOptions = () => ({ currencyCode: options.currencyCode, now: new Date().toISOString() })
  let pricebookId: Promise<string | undefined> | undefined
  // Both topics' batches run one after the other: a price that arrives before its product is found by the product's
  // own re-read, never lost between two transactions running side by side.
  let queue: Promise<unknown> = Promise.resolve()
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work)
    queue = run.catch(() => {})
    return run
  }
  /** Topics that started from LATEST after an import: the import is made again once the stream answers (see below). */
  const reconcileWanted = new Set<string>()

  /** The import again after a LATEST subscription took effect; still wanted if it fails. */
  async function reconcileIfWanted(topic: string) {
    if (!reconcileWanted.has(topic)) return
    await importWhole('subscribed from the latest change')
    reconcileWanted.delete(topic)
  }

  const standardPricebook = () => {
    pricebookId ??= salesforce.standardPricebookId()
    pricebookId.catch(() => {
      pricebookId = undefined
    })
    return pricebookId
  }

  async function importWhole(reason: string, topic?: string) {
    const snapshot = await readSnapshot(salesforce, await standardPricebook())
    const outcome = await options.stockEvents.transact(db, async (trx) => {
      await checkLease(trx, orgKey, holder)
      const written = await writeSnapshot(trx, snapshot, writeOptions())
      await trx
        .updateTable('pubsub_subscribers')
        .set({ imported_at: new Date().toISOString() })
        .where('org_key', '=', orgKey)
        .execute()
      if (topic) await forgetReplayIds(trx, orgKey, topic)
      return written
    })
    const { created, updated, archived, skipped } = outcome
    logger.info(
      { reason, products: snapshot.products.length, created, updated, archived, skipped: skipped.length },
      'catalog imported from Salesforce',
    )
    for (const { product2Id, reason: why } of skipped.slice(0, 20)) {
      logger.info({ product2Id, reason: why }, 'Product2 not in the catalog')
    }
  }

  async function readRereads(changes: RecordChange[]): Promise<Rereads> {
    const rereads: Rereads = {
      products: new Map(),
      pricesOfProducts: new Map(),
      pricesOfProductsAsked: false,
      prices: new Map(),
      askedProducts: new Set(),
      askedPrices: new Set(),
    }
    if (!master) {
      // An org that only receives: a stock edit names its Product2 by Id, and its SKU says which product it is.
      const edited = [...new Set(changes.filter(isStockEdit).flatMap((change) => change.recordIds))]
      if (edited.length > 0)
        for (const product of await salesforce.productsById(edited)) rereads.products.set(product.id, product)
      return rereads
    }
    const pricebook = await standardPricebook()
    if (changes.some(namesWholeObject)) {
      rereads.whole = await readSnapshot(salesforce, pricebook)
      return rereads
    }
    const productIds = new Set<string>()
    const priceIds = new Set<string>()
    const productChanges = changes.filter((change) => change.entityName !== 'PricebookEntry')
    const followed = await findManyByProduct2(db.kysely, [...new Set(productChanges.flatMap((c) => c.recordIds))])
    for (const change of changes) {
      if (change.entityName === 'PricebookEntry') {
        if (isGap(change)) for (const id of change.recordIds) priceIds.add(id)
        continue
      }
      if (isGap(change)) for (const id of change.recordIds) productIds.add(id)
      // An undeleted product: whether its price book entry came back with it is not said by the event (it is read).
      else if (change.changeType === 'UNDELETE') for (const id of change.recordIds) productIds.add(id)
      // A product new to flowcart: its standard price may have been applied before it (the other topic) and lost.
      else if (change.changeType === 'CREATE' || change.changeType === 'UPDATE') {
        for (const id of change.recordIds) if (!followed.get(id)) productIds.add(id)
      }
    }
    if (productIds.size > 0) {
      const ids = [...productIds]
      for (const product of await salesforce.productsById(ids)) rereads.products.set(product.id, product)
      if (pricebook) {
        rereads.pricesOfProducts = pricesByProduct(await salesforce.standardPricesOf(pricebook, ids))
        rereads.pricesOfProductsAsked = true
      }
      rereads.askedProducts = productIds
    }
    if (priceIds.size > 0) {
      for (const price of await salesforce.pricesById([...priceIds])) rereads.prices.set(price.id, price)
      rereads.askedPrices = priceIds
    }
    return rereads
  }

  /** The product's state with what one Product2 change set (UPDATE: the changed fields only). */
  function product2State(change: RecordChange, recordId: string, stored: SourceState | undefined): SourceState {
    const { values, changedFields } = change
    const set = (name: string) => changedFields.includes(name)
    const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : null)
    const base: SourceState = stored ?? {
      product2Id: recordId,
      sku: null,
      name: '',
      description: null,
      product2Active: false,
      product2Deleted: false,
      priceEntryId: null,
      unitPrice: null,
      priceActive: false,
      stock: null,
    }
    return {
      ...base,
      product2Deleted: false,
      ...(set(matchField) ? { sku: text(matchField) } : {}),
      ...(set('Name') ? { name: text('Name') ?? '' } : {}),
      ...(set('Description') ? { description: text('Description') } : {}),
      ...(set('IsActive') ? { product2Active: values.IsActive === true } : {}),
      ...(set(stockField) && typeof values[stockField] === 'number' ? { stock: values[stockField] as number } : {}),
    }
  }

  /** What the catalog holds for each Product2 a batch names, read once in its transaction; dropped once written. */
  type Known = Map<string, StoredProduct | undefined>

  async function applyProductChange(trx: Kysely<Tables>, change: RecordChange, rereads: Rereads, known: Known) {
    for (const recordId of change.recordIds) {
      const stored = known.has(recordId) ? known.get(recordId) : await findByProduct2(trx, recordId)
      const reread = rereads.products.get(recordId)
      let state: SourceState | undefined
      if (reread) {
        const price = rereads.pricesOfProducts.get(recordId)
        state = stateOfRecords(reread, price)
        // A standard price flowcart knows and the re-read could not ask for stays.
        if (!rereads.pricesOfProductsAsked && stored) state = { ...stateOf(stored), ...withoutPrice(state) }
      } else if (rereads.askedProducts.has(recordId) && isGap(change)) {
        if (stored) state = { ...stateOf(stored), product2Deleted: true }
      } else if (change.changeType === 'DELETE') {
        if (stored) state = { ...stateOf(stored), product2Deleted: true }
      } else if (change.changeType === 'CREATE' || change.changeType === 'UNDELETE') {
        state = product2State(change, recordId, stored && stateOf(stored))
      } else if (change.changeType === 'UPDATE' && stored) {
        state = product2State(change, recordId, stateOf(stored))
      }
      if (!state) continue
      const written = await writeSourceState(trx, state, writeOptions(), { stored })
      known.delete(recordId)
      if (written.outcome === 'skipped' && written.reason !== 'no SKU') {
        logger.warn({ product2Id: recordId, reason: written.reason }, 'Product2 change not applied')
      }
    }
  }

  async function applyPriceChange(trx: Kysely<Tables>, change: RecordChange, rereads: Rereads) {
    const pricebook = await standardPricebook()
    for (const entryId of change.recordIds) {
      let entry: Partial<PriceEntryRecord> | undefined
      let gone = change.changeType === 'DELETE'
      if (isGap(change)) {
        entry = rereads.prices.get(entryId)
        gone = !entry && rereads.askedPrices.has(entryId)
      } else if (change.changeType !== 'DELETE') {
        const { values, changedFields } = change
        entry = {
          ...(changedFields.includes('Pricebook2Id') ? { pricebookId: String(values.Pricebook2Id) } : {}),
          ...(changedFields.includes('Product2Id') ? { product2Id: String(values.Product2Id) } : {}),
          ...(changedFields.includes('UnitPrice') ? { unitPrice: Number(values.UnitPrice) } : {}),
          ...(changedFields.includes('IsActive') ? { active: values.IsActive === true } : {}),
        }
      }
      const stored =
        (await findByPriceEntry(trx, entryId)) ??
        (entry?.product2Id && entry.pricebookId === pricebook ? await findByProduct2(trx, entry.product2Id) : undefined)
      if (!stored) continue
      const state = stateOf(stored)
      const next: SourceState = gone
        ? { ...state, priceEntryId: null, priceActive: false }
        : {
            ...state,
            priceEntryId: entryId,
            unitPrice: entry?.unitPrice ?? state.unitPrice,
            priceActive: entry?.active ?? state.priceActive,
          }
      await writeSourceState(trx, next, writeOptions())
    }
  }

  /** The flowcart product an org's Product2 is, by the Ids its stock sync remembers (or the catalog, in the master). */
  async function productOfRecord(trx: Kysely<Tables>, recordId: string, rereads: Rereads) {
    if (master) return (await findByProduct2(trx, recordId))?.product.id
    const sku = skuOf(rereads.products.get(recordId)?.sku)
    if (sku) return (await trx.selectFrom('products').select('id').where('sku', '=', sku).executeTakeFirst())?.id
    const row =
      orgKey === DEFAULT_ORG_KEY
        ? await trx
            .selectFrom('products')
            .select('id as product_id')
            .where('salesforce_id', '=', recordId)
            .executeTakeFirst()
        : await trx
            .selectFrom('org_product_ids')
            .select('product_id')
            .where('org_key', '=', orgKey)
            .where('salesforce_id', '=', recordId)
            .executeTakeFirst()
    return row?.product_id
  }

  /** Someone's write of a Product2's stock field (flowcart's own writes carry its client id). */
  function isStockEdit(change: RecordChange): boolean {
    return (
      change.entityName !== 'PricebookEntry' &&
      change.changeType === 'UPDATE' &&
      change.changedFields.includes(stockField) &&
      !madeBy(change, FLOWCART_CLIENT_ID)
    )
  }

  async function applyBatch(topic: string, events: DecodedEvent[]) {
    await reconcileIfWanted(topic)
    const changes = events.map(recordChangeOf)
    const rereads = await readRereads(changes)
    const last = changes[changes.length - 1]
    const lastEvent = events[events.length - 1]
    if (!last || !lastEvent) return
    const overwrites: StockLevel[] = []
    await options.stockEvents.transact(db, async (trx) => {
      await checkLease(trx, orgKey, holder)
      const fresh = await firstDeliveries(
        trx,
        orgKey,
        changes.map((change) => change.eventId),
      )
      let wholeWritten = false
      const known: Known = master
        ? await findManyByProduct2(trx, [
            ...new Set(changes.filter((c) => c.entityName !== 'PricebookEntry').flatMap((c) => c.recordIds)),
          ])
        : new Map()
      for (const change of changes) {
        if (!fresh.has(change.eventId)) continue
        if (master && rereads.whole && namesWholeObject(change)) {
          if (!wholeWritten) await writeSnapshot(trx, rereads.whole, writeOptions())
          wholeWritten = true
          known.clear()
        } else if (master && change.entityName === 'PricebookEntry') {
          await applyPriceChange(trx, change, rereads)
        } else if (master && change.entityName !== 'PricebookEntry') {
          await applyProductChange(trx, change, rereads, known)
        }
        if (!isStockEdit(change)) continue
        for (const recordId of change.recordIds) {
          const productId = await productOfRecord(trx, recordId, rereads)
          if (productId === undefined) continue
          const level = await settleStockEdit(
            trx,
            { stockEvents: options.stockEvents, policy: options.stockEdits, logger },
            {
              productId,
              value: change.values[stockField],
              by: change.commitUser,
              recordId,
              committedAt: change.commitTimestamp,
            },
          )
          if (level) overwrites.push(level)
        }
      }
      await saveReplayId(trx, orgKey, topic, lastEvent.replayId, {
        at: last.commitTimestamp,
        delayMs: Math.max(0, Date.now() - last.commitTimestamp),
      })
    })
    if (overwrites.length > 0) {
      await options
        .writeStock(overwrites)
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'stock could not be written back into Salesforce now; its event will'),
        )
    }
  }

  /**
   * A batch that fails the same way every time (a value the database refuses, a record flowcart cannot read) would
   * hold the topic for good. After its third failure its events are applied one at a time, and the one that fails is
   * skipped: logged at error with its record, recorded as applied, and the stream goes on. Failures that pass by
   * themselves (the database or Salesforce away, the lease gone) are never a reason to skip.
   */
  const failures = { eventId: '', count: 0 }
  async function applyOrSkip(topic: string, events: DecodedEvent[]) {
    try {
      await applyBatch(topic, events)
      failures.count = 0
      return
    } catch (error) {
      if (passesByItself(error)) throw error
      const first = events[0]?.id ?? ''
      failures.count = failures.eventId === first ? failures.count + 1 : 1
      failures.eventId = first
      if (failures.count < 3) throw error
    }
    for (const event of events) {
      try {
        await applyBatch(topic, [event])
      } catch (error) {
        if (passesByItself(error)) throw error
        await skipEvent(topic, event, error)
      }
    }
    failures.count = 0
  }

  async function skipEvent(topic: string, event: DecodedEvent, error: unknown) {
    const change = recordChangeOf(event)
    await db.transact(async (trx) => {
      await checkLease(trx, orgKey, holder)
      await firstDeliveries(trx, orgKey, [event.id])
      await saveReplayId(trx, orgKey, topic, event.replayId)
    })
    logger.error(
      { err: error, eventId: event.id, recordIds: change.recordIds, changeType: change.changeType, topic },
      'change event skipped: it cannot be applied; the record is read again at the next import',
    )
  }

  return {
    /** The whole catalog from this org (master only), with the reason logged. */
    importWhole: (reason: string) => oneAtATime(() => importWhole(reason)),
    applyEvents: (topic: string, events: DecodedEvent[]) => oneAtATime(() => applyOrSkip(topic, events)),
    /** Nothing in flight and the stream answered: its latest replay id is where to resume ("replay tightening"). */
    caughtUp: (topic: string, latestReplayId: Buffer) =>
      oneAtATime(async () => {
        await reconcileIfWanted(topic)
        if (latestReplayId.length === 0) return
        await db.transact(async (trx) => {
          await checkLease(trx, orgKey, holder)
          await saveReplayId(trx, orgKey, topic, latestReplayId)
        })
      }),
    /** The replay id was refused: import everything again (master), then follow from LATEST. */
    replayRejected: (topic: string) =>
      oneAtATime(async () => {
        if (master) await importWhole('the stored replay id was refused', topic)
        else await db.transact((trx) => forgetReplayIds(trx, orgKey, topic))
      }),
    /**
     * Changes made between an import's read and a LATEST subscription taking effect would be missed: once such a
     * stream is open (reconcileNow) or answers, whichever is first, the import is made again before anything else is
     * applied (importing twice changes nothing).
     */
    reconcileWhenAnswered: (topic: string) => {
      if (master) reconcileWanted.add(topic)
    },
    /** The LATEST stream is open: the import is made again now unless an answer already made it. */
    reconcileNow: (topic: string) =>
      oneAtATime(async () => {
        await reconcileIfWanted(topic)
      }),
  }
}

/** The database or Salesforce away, the lease gone: the same batch may well work next time. */
function passesByItself(error: unknown): boolean {
  return (
    error instanceof DatabaseUnavailable ||
    error instanceof SalesforceError ||
    (error as { leaseLost?: boolean }).leaseLost === true
  )
}

function withoutPrice(state: SourceState): Partial<SourceState> {
  const { priceEntryId: _entry, unitPrice: _price, priceActive: _active, ...rest } = state
  return rest
}
