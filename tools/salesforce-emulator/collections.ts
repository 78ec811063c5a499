// sObject Collections: PATCH /composite/sobjects (update) and POST /composite/sobjects (create, publish events), for
// Product2, PricebookEntry and platform events.
import type { FastifyInstance } from 'fastify'
import type { OrgState, SObject } from './org-state.js'
import { checkJsonTypes, objectFor, type Prepared, prepareCreate, prepareUpdate } from './save.js'
import { ApiError, checkVersion, type SaveResult, saveError, sendJson } from './wire.js'

const MAX_RECORDS = 200
const ROLLED_BACK = 'Record rolled back because not all records were valid and the request was using AllOrNone header'

interface Collection {
  allOrNone: boolean
  records: { type: string; record: SObject }[]
}

function readCollection(state: OrgState, body: unknown): Collection {
  const { allOrNone, records } = (body ?? {}) as { allOrNone?: unknown; records?: unknown }
  if (!Array.isArray(records)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must hold a records array')
  }
  if (records.length > MAX_RECORDS) {
    const message = `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`
    throw new ApiError(400, 'EXCEEDED_ID_LIMIT', message)
  }
  return {
    allOrNone: allOrNone === true,
    records: records.map((record: unknown) => {
      const type = (record as { attributes?: { type?: unknown } } | null)?.attributes?.type
      if (typeof type !== 'string') throw new ApiError(400, 'INVALID_TYPE', 'Every record needs an attributes.type')
      checkJsonTypes(objectFor(state, type), record as SObject)
      return { type, record: record as SObject }
    }),
  }
}

// With allOrNone a single failure leaves every record untouched; the valid ones report the rollback.
function settle(prepared: Prepared[], allOrNone: boolean): SaveResult[] {
  const rollBack = allOrNone && prepared.some((p) => !p.ok)
  return prepared.map((p) => {
    if (!p.ok) return p.result
    if (!rollBack) return p.apply()
    const errors = [saveError('ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK)]
    return { ...(p.id ? { id: p.id } : {}), success: false, errors }
  })
}

export function registerCollections(app: FastifyInstance, state: OrgState): void {
  const config = { endpoint: 'composite/sobjects' }

  app.patch<{ Params: { version: string } }>('/:version/composite/sobjects', { config }, async (request, reply) => {
    checkVersion(request.params.version)
    const { allOrNone, records } = readCollection(state, request.body)
    const prepared = records.map(({ type, record }) => prepareUpdate(state, record, type, { writer: request.writer }))
    return sendJson(reply, 200, settle(prepared, allOrNone))
  })

  app.post<{ Params: { version: string } }>('/:version/composite/sobjects', { config }, async (request, reply) => {
    checkVersion(request.params.version)
    const { allOrNone, records } = readCollection(state, request.body)
    // One request may not create the same price definition twice (price-entries.ts).
    const claimed = new Set<string>()
    const prepared = records.map(({ type, record }) =>
      prepareCreate(state, record, type, { writer: request.writer }, claimed),
    )
    return sendJson(reply, 200, settle(prepared, allOrNone))
  })
}
