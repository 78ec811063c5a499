// One org's memory between requests: its records, events, tokens, users, counters and pending faults.
import { randomBytes } from 'node:crypto'
import { DEFAULT_INVENTORY_EVENT, DEFAULT_STOCK_FIELD, PRODUCT_OBJECT } from '../../src/salesforce/names.js'
import { describeChange, newWriter, type Writer } from './changes.js'
import { idKey, isWellFormedId, KEY_PREFIX, makeId, toId18 } from './ids.js'
import { entriesOfProduct, standardEntryOf, toEmulatorPriceEntry } from './price-entries.js'
import { findField, objectOfId, PRICE_BOOK_OBJECT, PRICE_ENTRY_OBJECT, productObject } from './schema.js'
import type {
  ApiCallCounters,
  ApiFailure,
  EmulatorPriceEntry,
  EmulatorProduct,
  ReceivedEvent,
  RecordChange,
  RecordChangeType,
  RecordMatcher,
  TokenError,
  UserSession,
} from './types.js'

export type SObject = Record<string, unknown>

export interface RecordFailure {
  match: RecordMatcher
  statusCode: string
  message: string
}

export interface QueryCursor {
  version: string
  records: SObject[]
}

/** A deleted record as it was, with the price book entries its deletion took along (a product's). */
interface BinnedRecord {
  record: SObject
  cascaded: SObject[]
}

export class OrgState {
  /** Where the org's REST API is, its My Domain: the token response's instance_url. */
  instanceUrl = ''
  readonly products = new Map<string, SObject>()
  /** Pricebook2 records: the standard price book only. */
  readonly priceBooks = new Map<string, SObject>()
  readonly priceEntries = new Map<string, SObject>()
  /** Every deleted record's Id (15 characters), of any object. */
  readonly deleted = new Set<string>()
  /** Deleted records, for undelete (Salesforce's recycle bin). */
  private readonly recycleBin = new Map<string, BinnedRecord>()
  /** The Id of the standard price book. */
  readonly standardPricebookId: string
  private readonly tables = new Map<string, Map<string, SObject>>([
    [PRODUCT_OBJECT, this.products],
    [PRICE_BOOK_OBJECT, this.priceBooks],
    [PRICE_ENTRY_OBJECT, this.priceEntries],
  ])
  /** Told of every record change (tools/pubsub-stand-in listens through the emulator's onRecordChange). */
  changeListener: ((change: RecordChange) => void) | undefined
  readonly events: ReceivedEvent[] = []
  /** Valid access tokens, each with the Id of the user whose session it is. */
  readonly tokens = new Map<string, string>()
  /** Users by Id: the integration user, and those a session was opened for (openSession). */
  readonly users = new Map<string, string>()
  readonly cursors = new Map<string, QueryCursor>()
  /** The 18-character org Id. */
  readonly organizationId: string
  /** The integration user's Id. */
  readonly userId: string
  /** A person working in the Salesforce UI: the controls that stand for such edits write as this user. */
  readonly adminUserId: string
  tokenFailures: TokenError[] = []
  /** While set, every token request for the org is refused with it. */
  tokenRefusal: TokenError | undefined
  apiFailures: ApiFailure[] = []
  down = false
  latencyMs = 0
  recordFailure: RecordFailure | undefined
  apiLimit: number
  private readonly eventTypes = new Map<string, string>()
  /** The Ids' characters after the key prefix, the org's own (ids.ts). */
  private readonly realm: string
  private sequence = 0
  private counts: ApiCallCounters = { tokenRequests: 0, apiCalls: 0, byEndpoint: {} }

  constructor(options: { realm: string; apiLimit: number; orgId?: string; eventTypes?: string[] }) {
    this.realm = options.realm
    this.apiLimit = options.apiLimit
    this.organizationId = options.orgId ? toId18(options.orgId) : makeId(KEY_PREFIX.organization, 1, this.realm)
    this.userId = makeId(KEY_PREFIX.user, 1, this.realm)
    this.adminUserId = makeId(KEY_PREFIX.user, 2, this.realm)
    for (const name of options.eventTypes ?? [DEFAULT_INVENTORY_EVENT]) this.eventTypes.set(name.toLowerCase(), name)
    // "Every org has one standard price book" (Object Reference, Pricebook2). Its own sequence, so that record Ids
    // stay as they were before price books. Active here; whether a new org's is active needs a real org.
    this.standardPricebookId = makeId(KEY_PREFIX.priceBook, 1, this.realm)
    this.priceBooks.set(idKey(this.standardPricebookId), {
      Id: this.standardPricebookId,
      Name: 'Standard Price Book',
      IsStandard: true,
      IsActive: true,
    })
  }

  /** A new access token of `userId`'s session, in Salesforce's shape: the org Id, `!`, then opaque bytes. */
  issueToken(userId: string): string {
    const accessToken = `${this.organizationId.slice(0, 15)}!${randomBytes(32).toString('base64url')}`
    this.tokens.set(accessToken, userId)
    return accessToken
  }

  /** A session of the user named `username` (created on first use), as a user who logged in to the org has one. */
  openSession(username: string): UserSession {
    let userId = [...this.users].find(([, name]) => name === username)?.[0]
    if (!userId) {
      // The integration user is the first and the UI admin the second: sessions' users come after them.
      userId = makeId(KEY_PREFIX.user, this.users.size + 3, this.realm)
      this.users.set(userId, username)
    }
    return {
      accessToken: this.issueToken(userId),
      userId,
      username,
      orgId: this.organizationId,
      instanceUrl: this.instanceUrl,
    }
  }

  newId(prefix: string): string {
    this.sequence += 1
    return makeId(prefix, this.sequence, this.realm)
  }

  countTokenRequest(endpoint: string): void {
    this.counts.tokenRequests += 1
    this.bump(endpoint)
  }

  /** Returns the API usage including this call, as Sforce-Limit-Info reports it. */
  countApiCall(endpoint: string): number {
    this.counts.apiCalls += 1
    this.bump(endpoint)
    return this.counts.apiCalls
  }

  apiUsage(): number {
    return this.counts.apiCalls
  }

  counters(): ApiCallCounters {
    return { ...this.counts, byEndpoint: { ...this.counts.byEndpoint } }
  }

  resetCounters(): void {
    this.counts = { tokenRequests: 0, apiCalls: 0, byEndpoint: {} }
  }

  addProducts(products: EmulatorProduct[]): EmulatorProduct[] {
    const writer = this.uiWriter()
    return products.map(({ standardPrice, priceActive, ...fields }) => {
      if (standardPrice !== undefined) checkPrice(standardPrice)
      const stored = this.insertProduct(fields)
      stored.LastModifiedById = writer.userId
      this.emitChange('CREATE', undefined, stored, writer)
      if (standardPrice !== undefined) {
        this.createStandardEntry(stored.Id as string, standardPrice, priceActive ?? true, writer)
      }
      return toEmulatorProduct(stored)
    })
  }

  /** Creates the product's standard entry, or updates it: a CREATE or an UPDATE change. */
  setStandardPrice(product2Id: string, unitPrice: number, isActive: boolean, writer: Writer): EmulatorPriceEntry {
    checkPrice(unitPrice)
    if (!product2Id.startsWith(KEY_PREFIX.product) || !this.findRecord(product2Id)) {
      throw new Error(`No such product: ${product2Id}`)
    }
    const entry = standardEntryOf(this, product2Id)
    if (!entry) return this.createStandardEntry(product2Id, unitPrice, isActive, writer)
    const before = { ...entry }
    Object.assign(entry, { UnitPrice: unitPrice, IsActive: isActive, LastModifiedById: writer.userId })
    this.emitChange('UPDATE', before, entry, writer)
    return toEmulatorPriceEntry(entry)
  }

  private createStandardEntry(product2Id: string, unitPrice: number, isActive: boolean, writer: Writer) {
    const entry = this.insertPriceEntry({
      Pricebook2Id: this.standardPricebookId,
      Product2Id: product2Id,
      UnitPrice: unitPrice,
      IsActive: isActive,
    })
    entry.LastModifiedById = writer.userId
    this.emitChange('CREATE', undefined, entry, writer)
    return toEmulatorPriceEntry(entry)
  }

  /** A write made in the Salesforce UI: no API, so Change Data Capture reports no origin. */
  uiWriter(): Writer {
    return newWriter(this.adminUserId, '')
  }

  /** Tells the listener of a change to `after`, whose object its Id's key prefix names. */
  emitChange(changeType: RecordChangeType, before: SObject | undefined, after: SObject, writer: Writer): void {
    const object = objectOfId(after.Id as string)
    if (!object) throw new Error(`No object has the Id ${String(after.Id)}`)
    this.changeListener?.(describeChange(object.name, changeType, before, after, writer))
  }

  /** Stores a validated Product2 with Salesforce's defaults and returns the stored record. */
  insertProduct(fields: SObject): SObject {
    const given = typeof fields.Id === 'string' ? fields.Id : undefined
    if (given !== undefined && !(isWellFormedId(given) && given.startsWith(KEY_PREFIX.product))) {
      throw new Error(`Not a Product2 Id: ${given}`)
    }
    if (given !== undefined && this.products.has(idKey(given))) throw new Error(`Duplicate Product2 Id: ${given}`)
    for (const name of Object.keys(fields)) {
      if (!findField(productObject, name)) throw new Error(`No field ${name} on ${productObject.name}`)
    }
    const record: SObject = {
      Id: given ? toId18(given) : this.newId(KEY_PREFIX.product),
      Name: fields.Name,
      ProductCode: fields.ProductCode ?? null,
      Description: fields.Description ?? null,
      StockKeepingUnit: fields.StockKeepingUnit ?? null,
      IsActive: fields.IsActive ?? false,
      [DEFAULT_STOCK_FIELD]: fields[DEFAULT_STOCK_FIELD] ?? null,
      LastModifiedById: this.userId,
    }
    this.products.set(idKey(record.Id as string), record)
    this.deleted.delete(idKey(record.Id as string))
    return record
  }

  /** Stores a PricebookEntry whose fields passed the API's checks (save.ts, price-entries.ts), with its defaults. */
  insertPriceEntry(fields: SObject): SObject {
    const entry: SObject = {
      Id: this.newId(KEY_PREFIX.priceEntry),
      Pricebook2Id: toId18(fields.Pricebook2Id as string),
      Product2Id: toId18(fields.Product2Id as string),
      UnitPrice: fields.UnitPrice,
      // "Default value: false" (Object Reference, PricebookEntry, IsActive).
      IsActive: fields.IsActive ?? false,
      LastModifiedById: this.userId,
    }
    this.priceEntries.set(idKey(entry.Id as string), entry)
    return entry
  }

  /** The records of one object (its API name as schema.ts spells it) that are not deleted. */
  recordsOf(objectName: string): SObject[] {
    return [...(this.tables.get(objectName)?.values() ?? [])]
  }

  /** A live record of any object, by its Id (15 or 18 characters). */
  findRecord(id: string): SObject | undefined {
    return this.tableOf(id)?.get(idKey(id))
  }

  isDeleted(id: string): boolean {
    return this.deleted.has(idKey(id))
  }

  /**
   * Moves a record to the recycle bin; `writer` is told when the record existed. A product's price book entries go
   * with it, in the same transaction: the emulator's guess of Salesforce's cascade, which needs a real org to confirm.
   */
  deleteRecord(id: string, writer: Writer = this.uiWriter()): void {
    // "Client applications can create, delete, and update custom price books, but can only update the standard price
    // book" (Object Reference, Pricebook2, Usage; the sentence is in the translated editions, e.g.
    // https://developer.salesforce.com/docs/atlas.ja-jp.208.0.object_reference.meta/object_reference/sforce_api_objects_pricebook2.htm).
    if (idKey(id) === idKey(this.standardPricebookId)) throw new Error('The standard price book cannot be deleted')
    const table = this.tableOf(id)
    const stored = table?.get(idKey(id))
    table?.delete(idKey(id))
    this.deleted.add(idKey(id))
    if (!stored) return
    const cascaded = id.startsWith(KEY_PREFIX.product) ? entriesOfProduct(this, id) : []
    this.recycleBin.set(idKey(id), { record: stored, cascaded })
    this.emitChange('DELETE', stored, stored, writer)
    for (const entry of cascaded) {
      this.priceEntries.delete(idKey(entry.Id as string))
      this.deleted.add(idKey(entry.Id as string))
      this.emitChange('DELETE', entry, entry, writer)
    }
  }

  /**
   * Restores a record from the recycle bin, and the entries its deletion took; false when it is not there. Throws for
   * an entry that cannot come back alone: its product is deleted, or the product has another standard entry now.
   */
  undeleteRecord(id: string, writer: Writer = this.uiWriter()): boolean {
    const binned = this.recycleBin.get(idKey(id))
    if (!binned) return false
    const { record, cascaded } = binned
    if (id.startsWith(KEY_PREFIX.priceEntry)) this.checkEntryMayReturn(record)
    this.recycleBin.delete(idKey(id))
    for (const restored of [record, ...cascaded]) {
      const restoredId = restored.Id as string
      this.deleted.delete(idKey(restoredId))
      restored.LastModifiedById = writer.userId
      this.tableOf(restoredId)?.set(idKey(restoredId), restored)
      this.emitChange('UNDELETE', undefined, restored, writer)
    }
    return true
  }

  private checkEntryMayReturn(entry: SObject): void {
    const product2Id = entry.Product2Id as string
    if (!this.findRecord(product2Id)) throw new Error(`Its product ${product2Id} is deleted: undelete the product`)
    if (standardEntryOf(this, product2Id)) throw new Error(`The product ${product2Id} has another standard price`)
  }

  /** Where the records of the Id's object are kept, by its key prefix. */
  private tableOf(id: string): Map<string, SObject> | undefined {
    const object = objectOfId(id)
    return object ? this.tables.get(object.name) : undefined
  }

  productCopies(): EmulatorProduct[] {
    return [...this.products.values()].map(toEmulatorProduct)
  }

  priceEntryCopies(): EmulatorPriceEntry[] {
    return [...this.priceEntries.values()].map(toEmulatorPriceEntry)
  }

  /** The event's API name as defined, or undefined when no such platform event exists. */
  eventType(name: string): string | undefined {
    return this.eventTypes.get(name.toLowerCase())
  }

  /** `createdById`: the user whose session published it (an event's CreatedById in Salesforce). */
  recordEvent(type: string, fields: SObject, createdById: string): ReceivedEvent {
    const event = { type, replayId: this.events.length + 1, fields, receivedAt: new Date().toISOString(), createdById }
    this.events.push(event)
    return event
  }

  private bump(endpoint: string): void {
    this.counts.byEndpoint[endpoint] = (this.counts.byEndpoint[endpoint] ?? 0) + 1
  }
}

function checkPrice(unitPrice: unknown): void {
  if (typeof unitPrice !== 'number' || !Number.isFinite(unitPrice)) throw new Error(`Not a price: ${String(unitPrice)}`)
}

// The public record type has no nulls for text fields, so a cleared text field is simply absent.
function toEmulatorProduct(record: SObject): EmulatorProduct {
  const product: EmulatorProduct = {
    Id: record.Id as string,
    Name: record.Name as string,
    IsActive: record.IsActive as boolean,
    Qty_In_Stock__c: record[DEFAULT_STOCK_FIELD] as number | null,
    LastModifiedById: record.LastModifiedById as string,
  }
  if (typeof record.ProductCode === 'string') product.ProductCode = record.ProductCode
  if (typeof record.Description === 'string') product.Description = record.Description
  if (typeof record.StockKeepingUnit === 'string') product.StockKeepingUnit = record.StockKeepingUnit
  return product
}
