// Validating and applying one record of a create, update or event publish, as sObject Collections reports it.
import { randomUUID } from 'node:crypto'
import type { Writer } from './changes.js'
import { isWellFormedId, KEY_PREFIX } from './ids.js'
import type { OrgState, SObject } from './org-state.js'
import { priceDefinitionKey, priceEntryProblem } from './price-entries.js'
import {
  eventObject,
  findField,
  type ObjectSpec,
  PRICE_ENTRY_OBJECT,
  recordObject,
  typeMismatch,
  WRITABLE_OBJECTS,
} from './schema.js'
import { ApiError, NOT_FOUND_MESSAGE, noSuchColumn, type SaveError, type SaveResult, saveError } from './wire.js'

/** A record that passed every check and is applied later, or its failure; allOrNone decides between the two. */
export type Prepared = { ok: true; id?: string; apply: () => SaveResult } | { ok: false; result: SaveResult }

const failed = (error: SaveError, id?: string): Prepared => ({
  ok: false,
  result: { ...(id ? { id } : {}), success: false, errors: [error] },
})

/** Who writes (the record's LastModifiedById), and whether injected record failures apply: not to UI edits. */
export interface SaveContext {
  writer: Writer
  injectFailures?: boolean
}

/** An object the REST API writes: Product2, PricebookEntry or a platform event. */
export function objectFor(state: OrgState, type: string): ObjectSpec | undefined {
  const record = recordObject(type, WRITABLE_OBJECTS)
  if (record) return record
  const event = state.eventType(type)
  return event ? eventObject(event) : undefined
}

/** Salesforce deserialises the whole body first, so one mistyped value fails the request rather than one record. */
export function checkJsonTypes(object: ObjectSpec | undefined, record: SObject): void {
  for (const [name, value] of Object.entries(record)) {
    const spec = object && findField(object, name)
    const mismatch = spec && typeMismatch(spec, value)
    if (mismatch) throw new ApiError(400, 'JSON_PARSER_ERROR', mismatch)
  }
}

function readFields(object: ObjectSpec, record: SObject, insert: boolean): { fields: SObject } | { error: SaveError } {
  const fields: SObject = {}
  for (const [name, raw] of Object.entries(record)) {
    if (name === 'attributes' || name.toLowerCase() === 'id') continue
    const spec = findField(object, name)
    if (!spec) return { error: saveError('INVALID_FIELD', noSuchColumn(name, object.name)) }
    if (!(insert ? spec.createable : spec.updatable)) {
      const message = `Unable to create/update fields: ${spec.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`
      return { error: saveError('INVALID_FIELD_FOR_INSERT_UPDATE', message, [spec.name]) }
    }
    // Salesforce stores an empty text value as null.
    const value = raw === '' ? null : raw
    if (value === null && !spec.nillable && spec.type !== 'boolean') {
      return { error: saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${spec.name}]`, [spec.name]) }
    }
    fields[spec.name] = spec.type === 'boolean' ? value === true : value
  }
  const missing = insert ? (object.required ?? []).filter((name) => fields[name] == null) : []
  if (missing.length > 0) {
    return {
      error: saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing),
    }
  }
  return { fields }
}

// Injected failures are consulted once per record, and only for records that would otherwise succeed.
function injectedFailure(state: OrgState, view: SObject, context: SaveContext): SaveError | undefined {
  const rule = context.injectFailures === false ? undefined : state.recordFailure
  return rule?.match(view) ? saveError(rule.statusCode, rule.message) : undefined
}

/** One record of an update: a Product2 or a PricebookEntry, found by its Id. */
export function prepareUpdate(state: OrgState, record: SObject, type: string, context: SaveContext): Prepared {
  const { writer } = context
  const object = objectFor(state, type)
  if (!object) return failed(saveError('INVALID_TYPE', `sObject type '${type}' is not supported.`))
  if (object.kind === 'event') {
    return failed(saveError('INVALID_TYPE_FOR_OPERATION', `entity type ${object.name} does not support update`))
  }
  const id = record.id ?? record.Id
  if (id === undefined || id === null) {
    return failed(saveError('MISSING_ARGUMENT', 'Id not specified in an update call'))
  }
  if (typeof id !== 'string' || !isWellFormedId(id)) return failed(saveError('MALFORMED_ID', `malformed id ${id}`))
  if (!id.startsWith(object.keyPrefix ?? '')) {
    return failed(saveError('MALFORMED_ID', `${object.name} ID: id value of incorrect type: ${id}`, ['Id']))
  }
  const read = readFields(object, record, false)
  if ('error' in read) return failed(read.error, id)
  const { fields } = read
  if (state.isDeleted(id)) return failed(saveError('ENTITY_IS_DELETED', 'entity is deleted'), id)
  const stored = state.findRecord(id)
  if (!stored) return failed(saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'), id)
  const injected = injectedFailure(state, { ...stored, ...fields, attributes: { type: object.name }, id }, context)
  if (injected) return failed(injected, id)
  return {
    ok: true,
    id: stored.Id as string,
    apply: () => {
      const before = { ...stored }
      Object.assign(stored, fields, { LastModifiedById: writer.userId })
      state.emitChange('UPDATE', before, stored, writer)
      return { id: stored.Id as string, success: true, errors: [] }
    },
  }
}

/**
 * One record of a create: a Product2, a PricebookEntry or a platform event (whose CreatedById is the writer).
 * `claimed`: the price definitions that earlier records of the same request take (price-entries.ts).
 */
export function prepareCreate(
  state: OrgState,
  record: SObject,
  type: string,
  context: SaveContext,
  claimed = new Set<string>(),
): Prepared {
  const { writer } = context
  const object = objectFor(state, type)
  if (!object && type.toLowerCase().endsWith('__e')) return failed(saveError('NOT_FOUND', NOT_FOUND_MESSAGE))
  if (!object) return failed(saveError('INVALID_TYPE', `sObject type '${type}' is not supported.`))
  if (record.id != null || record.Id != null) {
    return failed(saveError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']))
  }
  const read = readFields(object, record, true)
  if ('error' in read) return failed(read.error)
  const { fields } = read
  const isPriceEntry = object.name === PRICE_ENTRY_OBJECT
  const problem = isPriceEntry ? priceEntryProblem(state, fields, claimed) : undefined
  if (problem) return failed(problem)
  const injected = injectedFailure(state, { ...fields, attributes: { type: object.name } }, context)
  if (injected) return failed(injected)
  if (isPriceEntry) claimed.add(priceDefinitionKey(fields.Pricebook2Id as string, fields.Product2Id as string))
  if (object.kind === 'record') {
    return {
      ok: true,
      apply: () => {
        const stored = isPriceEntry ? state.insertPriceEntry(fields) : state.insertProduct(fields)
        stored.LastModifiedById = writer.userId
        state.emitChange('CREATE', undefined, stored, writer)
        return { id: stored.Id as string, success: true, errors: [] }
      },
    }
  }
  return {
    ok: true,
    apply: () => {
      state.recordEvent(object.name, fields, writer.userId)
      // A successful publish still carries an "error": the enqueue notice with the event's UUID.
      const enqueued = saveError('OPERATION_ENQUEUED', randomUUID())
      return { id: state.newId(KEY_PREFIX.event), success: true, errors: [enqueued] }
    },
  }
}
