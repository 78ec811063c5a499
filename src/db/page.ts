// Which slice of a listing a read returns. Owned by storage: the HTTP layer builds one from the query string
// (http/schemas.ts, pageOf), the repositories only read it.

/**
 * A page with its defaults filled in: `pageSize` rows after skipping `offset`, or, given `after`, the `pageSize` rows
 * that follow the row of that id in the listing's order (a keyset page: found through an index however deep it is,
 * where an offset's rows are all read and thrown away). Never both: `offset` is 0 whenever `after` is given.
 */
export interface Page {
  pageSize: number
  offset: number
  /** The id of the last row of the previous page; the row itself need not exist any more. */
  after?: number
}
