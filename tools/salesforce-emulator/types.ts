// The emulator's public contract: what tests and the demo configure, inspect and inject.

export interface EmulatorProduct {
  Id?: string
  Name: string
  ProductCode?: string
  Description?: string
  StockKeepingUnit?: string
  IsActive?: boolean
  Qty_In_Stock__c?: number | null
  /** The user whose session last wrote the record (read-only; set by the emulator). */
  LastModifiedById?: string
  /**
   * Not a Product2 field: when given, `products` and `addProducts` also create the product's PricebookEntry in the
   * standard price book with this UnitPrice. `records()` does not return it; see `priceEntries()`.
   */
  standardPrice?: number
  /** IsActive of that standard PricebookEntry; default true. */
  priceActive?: boolean
}

/** A PricebookEntry: one product's price in one price book (here always the standard one). */
export interface EmulatorPriceEntry {
  Id: string
  Pricebook2Id: string
  Product2Id: string
  UnitPrice: number
  IsActive: boolean
  /** The user whose session last wrote the record. */
  LastModifiedById: string
}

/** An open session of one user of the org: what a Salesforce login, or AppLink, hands an app. */
export interface UserSession {
  accessToken: string
  userId: string
  username: string
  orgId: string
  instanceUrl: string
}

/** One org: who may sign in to it with the JWT bearer flow, and what it holds. */
export interface OrgOptions {
  /**
   * The org Id (15 or 18 characters, key prefix 00D); generated when absent. Tokens, identity URLs and `orgId` give
   * its 18-character form.
   */
  orgId?: string
  /** Expected JWT `iss`: the consumer key of the org's External Client App (several orgs may share a packaged one). */
  consumerKey: string
  /** Expected JWT `sub`: the one user who has been pre-authorized for the app; unique across all orgs. */
  username: string
  /** PEM (SPKI public key or X.509 certificate) that verifies RS256 assertions. */
  publicKey: string
  /** Seeded Product2 records; Ids are generated when absent. */
  products?: EmulatorProduct[]
  /** Known platform events, each with Product_Id__c (Number), SKU__c (Text), Qty_In_Stock__c (Number). */
  eventTypes?: string[]
  /** Daily API request limit reported in Sforce-Limit-Info; default 15000. */
  apiLimit?: number
}

/** The first org, which the emulator's own methods and /__emulator act on, and the emulator's login host. */
export interface EmulatorOptions extends OrgOptions {
  /** Allowed `aud` for every org; default login, test and the emulator's own base URL. */
  audiences?: string[]
  /** Port of the login host; default 0 (a free port). */
  port?: number
}

export interface ApiCallCounters {
  tokenRequests: number
  apiCalls: number
  byEndpoint: Record<string, number>
}

export interface ReceivedEvent {
  type: string
  replayId: number
  fields: Record<string, unknown>
  receivedAt: string
  /** The Id of the user whose session published the event. */
  createdById: string
}

export interface TokenError {
  error: string
  error_description: string
}

/** What Change Data Capture reports of a write; see tools/pubsub-stand-in, which turns these into change events. */
export type RecordChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE'

/** One record written by one request (or by a control standing in for a user in the Salesforce UI). */
export interface RecordChange {
  entityName: string
  changeType: RecordChangeType
  recordId: string
  /** The record's fields after the change; for DELETE, as they were before it. */
  record: Record<string, unknown>
  /** API names of the fields whose value changed (UPDATE only; empty otherwise). */
  changedFields: string[]
  /** API names of the fields an UPDATE set to null. */
  nulledFields: string[]
  /** The user whose session wrote the record. */
  commitUser: string
  /** `com/salesforce/api/rest/<version>;client=<client>` for REST writes, empty for controls. */
  changeOrigin: string
  /** Shared by every record one request writes; sequenceNumber counts them from 1. */
  transactionKey: string
  sequenceNumber: number
  /** Epoch milliseconds. */
  commitTimestamp: number
}

export type RecordChangeListener = (orgId: string, change: RecordChange) => void

export type ApiFailure = 'unavailable' | 'limit' | 'server-error'

export type RecordMatcher = (record: Record<string, unknown>) => boolean

export interface ApiLimits {
  /** API calls counted since the last resetCounters, as Sforce-Limit-Info reports them. */
  apiUsage: number
  apiLimit: number
}

/** What a test can inspect and inject in one org; nothing here touches another org. */
export interface OrgControls {
  /**
   * Every request that reaches /services/data counts, refused ones (401, injected faults, 404) included, so a client's
   * retries show. Token requests count apart from apiCalls. apiCalls is also the usage in Sforce-Limit-Info.
   */
  counters(): ApiCallCounters
  /** Also resets the API usage, and with it REQUEST_LIMIT_EXCEEDED. */
  resetCounters(): void
  /** Copies of the Product2 records that are not deleted. */
  records(): EmulatorProduct[]
  /** Copies of the PricebookEntry records that are not deleted. */
  priceEntries(): EmulatorPriceEntry[]
  events(): ReceivedEvent[]
  /**
   * Creates records as a user in the Salesforce UI would (CREATE changes with no origin): each product, then its
   * standard PricebookEntry when it has a `standardPrice`.
   */
  addProducts(products: EmulatorProduct[]): EmulatorProduct[]
  /**
   * Edits a Product2 or a PricebookEntry (which one, by the Id's key prefix) as a user in the Salesforce UI would: an
   * UPDATE change with no origin. The fields follow the REST API's rules (names case-insensitive, read-only fields and
   * unknown names refused); injected record failures do not apply. Throws when the record or a field is refused.
   */
  updateRecord(id: string, fields: Record<string, unknown>): void
  /**
   * Sets a product's price in the standard price book as a user in the Salesforce UI would: creates its
   * PricebookEntry (a CREATE change) or updates the one it has (an UPDATE change), with no origin.
   */
  setStandardPrice(product2Id: string, unitPrice: number, isActive?: boolean): EmulatorPriceEntry
  /**
   * Deletes a Product2 or a PricebookEntry as a user in the Salesforce UI would (a DELETE change with no origin); it
   * goes to the recycle bin. A product takes its price book entries with it (a DELETE change for each).
   */
  deleteRecord(id: string): void
  /**
   * Restores a deleted record from the recycle bin, as a user would (an UNDELETE change with no origin); a product
   * brings back the entries its deletion took. Throws when the record is not in the recycle bin, and for an entry
   * whose product is deleted or that has a new standard entry since.
   */
  undeleteRecord(id: string): void
  /** The Id of the user whose session `accessToken` is, or undefined when the org knows no such session. */
  sessionUserId(accessToken: string): string | undefined
  /** A session of the user `username` (created on first use): its token is accepted like the integration user's. */
  openSession(username: string): UserSession
  failNextTokenRequests(count: number, error?: TokenError): void
  expireAllTokens(): void
  failNextApiCalls(count: number, failure: ApiFailure): void
  setDown(down: boolean): void
  /**
   * Fails matching records with `statusCode` (per record in collections, as a 400 on single-record calls) until
   * replaced or cleared. The matcher sees the stored record merged with the incoming fields, plus `id` and
   * `attributes`, and is asked once per record that would otherwise succeed.
   */
  failRecords(match: RecordMatcher, statusCode: string, message: string): void
  clearRecordFailures(): void
  setLatency(ms: number): void
  /** A new daily limit: a usage already past it answers REQUEST_LIMIT_EXCEEDED from the next call on. */
  setApiLimit(limit: number): void
  limits(): ApiLimits
  /** While on, every token request for this org is refused with `error` (default: the user has not approved). */
  refuseTokens(refuse: boolean, error?: TokenError): void
}

/** One org of the emulator: its identity, its own instance host, and its controls. */
export interface SalesforceOrg extends OrgControls {
  /** The 18-character org Id, as in the identity URL. */
  orgId: string
  /** The org's instance_url (its My Domain): a port of its own. */
  instanceUrl: string
  /** The pre-authorized integration user. */
  username: string
  consumerKey: string
  /** The Id of the org's standard price book (Pricebook2, IsStandard true), which every org has from its start. */
  standardPricebookId: string
}

/** The emulator, which is also its first org. */
export interface SalesforceEmulator extends SalesforceOrg {
  /** The login URL of every org (token endpoint, identity URLs, /__emulator controls), e.g. http://127.0.0.1:PORT. */
  url: string
  /** Another org on the same login URL, with its own instance host, records, users, limits and faults. */
  addOrg(options: OrgOptions): Promise<SalesforceOrg>
  /** Every org, the first one first. */
  orgs(): SalesforceOrg[]
  /** Called for every record created, updated, deleted or undeleted in any org, later ones too; returns an unsubscribe. */
  onRecordChange(listener: RecordChangeListener): () => void
  close(): Promise<void>
}
