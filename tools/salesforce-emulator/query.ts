// GET /services/data/vXX.X/query?q= and the query-locator pages that follow it, over Product2, Pricebook2 and
// PricebookEntry.
import type { FastifyInstance } from 'fastify'
import { idKey, isWellFormedId, KEY_PREFIX } from './ids.js'
import type { OrgState, SObject } from './org-state.js'
import { priceEntryView } from './price-entries.js'
import { type FieldSpec, findField, type ObjectSpec, PRICE_ENTRY_OBJECT, recordObject } from './schema.js'
import { type Literal, parseSoql, SoqlError } from './soql.js'
import { ApiError, checkVersion, sendJson } from './wire.js'

const MAX_BATCH = 2000
const MIN_BATCH = 200

interface Filter {
  field: FieldSpec
  values: Literal[]
}

const noSuchColumn = (name: string, object: ObjectSpec) =>
  `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to ` +
  "append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."

function resolveField(object: ObjectSpec, name: string): FieldSpec {
  const spec = findField(object, name)
  if (!spec) throw new ApiError(400, 'INVALID_FIELD', noSuchColumn(name, object))
  return spec
}

/** The object's live records as a query reads them (a price book entry with its product's Name and ProductCode). */
function rowsOf(state: OrgState, object: ObjectSpec): SObject[] {
  const records = state.recordsOf(object.name)
  return object.name === PRICE_ENTRY_OBJECT ? records.map((entry) => priceEntryView(state, entry)) : records
}

function checkLiteral(field: FieldSpec, value: Literal): void {
  if (value === null) return
  if (field.type === 'id') {
    if (typeof value !== 'string' || !isWellFormedId(value)) {
      throw new ApiError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${String(value)}`)
    }
    return
  }
  const wanted = field.type === 'double' ? 'number' : field.type
  if (typeof value === wanted) return
  const quoting = field.type === 'string' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'
  const message = `value of filter criterion for field '${field.name}' must be of type ${field.type} and ${quoting}`
  throw new ApiError(400, 'INVALID_FIELD', message)
}

// SOQL compares text case-insensitively and matches a 15-char Id against its 18-char form.
function sameValue(field: FieldSpec, stored: unknown, wanted: Literal): boolean {
  if (wanted === null || stored === null) return stored === wanted
  if (field.type === 'id') return idKey(String(stored)) === idKey(String(wanted))
  if (field.type === 'string') return String(stored).toLowerCase() === String(wanted).toLowerCase()
  return stored === wanted
}

function runQuery(state: OrgState, soql: string, version: string): SObject[] {
  let query: ReturnType<typeof parseSoql>
  try {
    query = parseSoql(soql)
  } catch (error) {
    if (error instanceof SoqlError) throw new ApiError(400, 'MALFORMED_QUERY', error.message)
    throw error
  }
  const object = recordObject(query.object)
  if (!object) {
    const message = `sObject type '${query.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
    throw new ApiError(400, 'INVALID_TYPE', message)
  }
  const fields = query.fields.map((name) => resolveField(object, name))
  const duplicate = fields.find((f, i) => fields.indexOf(f) !== i)
  if (duplicate) throw new ApiError(400, 'MALFORMED_QUERY', `duplicate field selected: ${duplicate.name}`)
  const filters: Filter[] = query.where.map(({ field, values }) => ({ field: resolveField(object, field), values }))
  for (const filter of filters) for (const value of filter.values) checkLiteral(filter.field, value)
  const matching = rowsOf(state, object).filter((record) =>
    filters.every(({ field, values }) => values.some((value) => sameValue(field, record[field.name], value))),
  )
  return matching.slice(0, query.limit ?? matching.length).map((record) => ({
    attributes: {
      type: object.name,
      url: `/services/data/${version}/sobjects/${object.name}/${record.Id}`,
    },
    ...Object.fromEntries(fields.map((f) => [f.name, record[f.name] ?? null])),
  }))
}

function batchSize(header: string | string[] | undefined): number {
  const requested = Number(/batchSize=(\d+)/i.exec(String(header ?? ''))?.[1] ?? MAX_BATCH)
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, requested))
}

export function registerQuery(app: FastifyInstance, state: OrgState): void {
  const page = (cursorId: string, offset: number, size: number) => {
    const cursor = state.cursors.get(cursorId)
    if (!cursor || offset > cursor.records.length)
      throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator')
    const end = offset + size
    const done = end >= cursor.records.length
    return {
      totalSize: cursor.records.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${cursor.version}/query/${cursorId}-${end}` }),
      records: cursor.records.slice(offset, end),
    }
  }

  app.get<{ Params: { version: string }; Querystring: { q?: string } }>(
    '/:version/query',
    { config: { endpoint: 'query' } },
    async (request, reply) => {
      checkVersion(request.params.version)
      const soql = request.query.q
      if (!soql) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified')
      const cursorId = state.newId(KEY_PREFIX.queryLocator)
      state.cursors.set(cursorId, {
        version: request.params.version,
        records: runQuery(state, soql, request.params.version),
      })
      return sendJson(reply, 200, page(cursorId, 0, batchSize(request.headers['sforce-query-options'])))
    },
  )

  app.get<{ Params: { version: string; locator: string } }>(
    '/:version/query/:locator',
    { config: { endpoint: 'query/:locator' } },
    async (request, reply) => {
      checkVersion(request.params.version)
      const [, cursorId = '', offset = ''] = /^(.+)-(\d+)$/.exec(request.params.locator) ?? []
      return sendJson(reply, 200, page(cursorId, Number(offset), batchSize(request.headers['sforce-query-options'])))
    },
  )
}
