// One org's memory between requests: its records, events, tokens, users, counters and pending faults.
import { randomBytes } from 'node:crypto'
import { DEFAULT_INVENTORY_EVENT, DEFAULT_STOCK_FIELD } from '../../src/salesforce/names.js'
import { describeChange, newWriter, type Writer } from './changes.js'
import { idKey, isWellFormedId, KEY_PREFIX, makeId, toId18 } from './ids.js'
import { findField, productObject } from './schema.js'
import type {
  ApiCallCounters,
  ApiFailure,
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

export class OrgState {
  /** Where the org's REST API is, its My Domain: the token response's instance_url. */
  instanceUrl = ''
  readonly products = new Map<string, SObject>()
  readonly deleted = new Set<string>()
  /** Deleted records as they were, for undelete (Salesforce's recycle bin). */
  private readonly recycleBin = new Map<string, SObject>()
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
    return products.map((product) => {
      const stored = this.insertProduct({ ...product })
      stored.LastModifiedById = writer.userId
      this.emitChange('CREATE', undefined, stored, writer)
      return toEmulatorProduct(stored)
    })
  }

  /** A write made in the Salesforce UI: no API, so Change Data Capture reports no origin. */
  uiWriter(): Writer {
    return newWriter(this.adminUserId, '')
  }

  emitChange(changeType: RecordChangeType, before: SObject | undefined, after: SObject, writer: Writer): void {
    this.changeListener?.(describeChange('Product2', changeType, before, after, writer))
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

  findProduct(id: string): SObject | undefined {
    return this.products.get(idKey(id))
  }

  isDeleted(id: string): boolean {
    return this.deleted.has(idKey(id))
  }

  /** Moves a record to the recycle bin; `writer` is told when the record existed. */
  deleteRecord(id: string, writer: Writer = this.uiWriter()): void {
    const stored = this.products.get(idKey(id))
    this.products.delete(idKey(id))
    this.deleted.add(idKey(id))
    if (!stored) return
    this.recycleBin.set(idKey(id), stored)
    this.emitChange('DELETE', stored, stored, writer)
  }

  /** Restores a record from the recycle bin; false when it is not there. */
  undeleteRecord(id: string, writer: Writer = this.uiWriter()): boolean {
    const stored = this.recycleBin.get(idKey(id))
    if (!stored) return false
    this.recycleBin.delete(idKey(id))
    this.deleted.delete(idKey(id))
    stored.LastModifiedById = writer.userId
    this.products.set(idKey(id), stored)
    this.emitChange('UNDELETE', undefined, stored, writer)
    return true
  }

  productCopies(): EmulatorProduct[] {
    return [...this.products.values()].map(toEmulatorProduct)
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
