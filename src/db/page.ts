// Which slice of a listing a read returns. Owned by storage: the HTTP layer builds one from the query string
// (http/schemas.ts, pageOf), the repositories only read it.

/** A page with its defaults filled in: `pageSize` rows after skipping `offset`. */
export interface Page {
  pageSize: number
  offset: number
}
