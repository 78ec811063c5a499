// The in-process handle on one org's state that tests call directly (and the admin endpoints call for curl).
import type { OrgState } from './org-state.js'
import { prepareUpdate } from './save.js'
import { objectOfId } from './schema.js'
import type { OrgControls, TokenError } from './types.js'

export type Controls = OrgControls

const NOT_APPROVED: TokenError = { error: 'invalid_grant', error_description: "user hasn't approved this consumer" }

export function createControls(state: OrgState): Controls {
  return {
    counters: () => state.counters(),
    resetCounters: () => state.resetCounters(),
    records: () => state.productCopies(),
    priceEntries: () => state.priceEntryCopies(),
    events: () => state.events.map((event) => ({ ...event, fields: { ...event.fields } })),
    addProducts: (products) => state.addProducts(products),
    // The REST API's checks, with the UI's writer and without injected failures (those stand for the API's faults).
    updateRecord: (id, fields) => {
      const type = objectOfId(id)?.name
      if (!type) throw new Error(`Not the Id of a Product2 or a PricebookEntry: ${id}`)
      const context = { writer: state.uiWriter(), injectFailures: false }
      const prepared = prepareUpdate(state, { ...fields, attributes: { type }, id }, type, context)
      if (!prepared.ok) {
        const [error] = prepared.result.errors
        throw new Error(`${error?.statusCode}: ${error?.message}`)
      }
      prepared.apply()
    },
    setStandardPrice: (product2Id, unitPrice, isActive = true) =>
      state.setStandardPrice(product2Id, unitPrice, isActive, state.uiWriter()),
    deleteRecord: (id) => state.deleteRecord(id),
    undeleteRecord: (id) => {
      if (!state.undeleteRecord(id)) throw new Error(`Not in the recycle bin: ${id}`)
    },
    sessionUserId: (accessToken) => state.tokens.get(accessToken),
    openSession: (username) => state.openSession(username),
    failNextTokenRequests: (count, error = NOT_APPROVED) => {
      for (let i = 0; i < count; i++) state.tokenFailures.push({ ...error })
    },
    expireAllTokens: () => state.tokens.clear(),
    // jsforce retries 5xx on GET/PUT/DELETE by itself (5 times, about 15 s in all) but never on PATCH or POST, so a
    // failed query is only seen by the caller once six failures are queued, or with the client's own retry options.
    failNextApiCalls: (count, failure) => {
      for (let i = 0; i < count; i++) state.apiFailures.push(failure)
    },
    setDown: (down) => {
      state.down = down
    },
    // One rule at a time: a new call replaces the previous one, so a matcher that never matches clears it too.
    failRecords: (match, statusCode, message) => {
      state.recordFailure = { match, statusCode, message }
    },
    clearRecordFailures: () => {
      state.recordFailure = undefined
    },
    setLatency: (ms) => {
      state.latencyMs = ms
    },
    setApiLimit: (limit) => {
      state.apiLimit = limit
    },
    limits: () => ({ apiUsage: state.apiUsage(), apiLimit: state.apiLimit }),
    refuseTokens: (refuse, error = NOT_APPROVED) => {
      state.tokenRefusal = refuse ? { ...error } : undefined
    },
  }
}
