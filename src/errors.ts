// The business's own errors. They say what went wrong, not how to answer it: src/http/error-handler.ts maps each
// to an HTTP status and the stable `code` of the ErrorResponse.

export class DomainError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A product or order that does not exist. */
export class NotFound extends DomainError {}

/** An order line asks for more than is in stock; the order reserves nothing. */
export class OutOfStock extends DomainError {
  constructor(
    readonly productId: number,
    readonly sku: string,
    readonly inStock: number,
    readonly requested: number,
  ) {
    super(`Product ${productId} (${sku}) has ${inStock} in stock; ${requested} requested.`)
  }
}

/** A product is created with a SKU another product already has. */
export class SkuTaken extends DomainError {
  constructor(readonly sku: string) {
    super(`Another product already has SKU ${sku}; SKUs are unique. Change that product instead (updateProduct).`)
  }
}

/** The catalog follows Salesforce (SF_CATALOG_FROM_SALESFORCE=true): products change there, not here. */
export class CatalogFromSalesforce extends DomainError {
  constructor() {
    super(
      "The catalog follows Salesforce: create and change products there (Product2 and the standard price book); flowcart's copy follows within seconds. Stock is still set here (setInventory).",
    )
  }
}

/** An order line names a product that is archived (no longer sold). */
export class ProductInactive extends DomainError {
  constructor(
    readonly productId: number,
    readonly sku: string,
  ) {
    super(`Product ${productId} (${sku}) is no longer sold.`)
  }
}

/** An order takes products of one currency. */
export class MixedCurrencies extends DomainError {
  constructor(readonly currencies: string[]) {
    super(`An order takes products of one currency; these are in ${currencies.join(', ')}.`)
  }
}

/** An idempotency key reused with a different request. */
export class IdempotencyConflict extends DomainError {
  constructor() {
    super('This Idempotency-Key was already used with a different request body; use a new key for a new order.')
  }
}

/**
 * No database connection could be had in time (every pooled connection busy, or the database unreachable), or the
 * connection was lost under the work (a failover, a restart). Nothing of the work was kept.
 */
export class DatabaseUnavailable extends DomainError {
  constructor(cause: unknown, message = 'The database is busy or unreachable; retry shortly.') {
    super(message, { cause })
  }
}

/**
 * The connection was lost while COMMIT was under way: the work may have been kept or not, and the database cannot
 * say which to this process. A retry with the same idempotency key finds out (and places the order if it was not).
 */
export class CommitOutcomeUnknown extends DatabaseUnavailable {
  constructor(cause: unknown) {
    super(
      cause,
      'The database connection was lost while this change was being committed, so it may or may not have been ' +
        'saved. Retry with the same Idempotency-Key: the retry answers the order if it was placed, and places it if not.',
    )
  }
}

/** A request the schema could not refuse on its own, e.g. a header given twice. */
export class InvalidInput extends DomainError {}
