// Single-record resources: PATCH and DELETE /sobjects/{Name}/{Id} and POST /sobjects/{Name}, for Product2 and
// PricebookEntry (and POST for platform events).
import type { FastifyInstance } from 'fastify'
import { isWellFormedId } from './ids.js'
import type { OrgState, SObject } from './org-state.js'
import { checkJsonTypes, objectFor, prepareCreate, prepareUpdate } from './save.js'
import { type ObjectSpec, recordObject, WRITABLE_OBJECTS } from './schema.js'
import { ApiError, checkVersion, NOT_FOUND_MESSAGE, type SaveResult, sendJson } from './wire.js'

const notFound = (message = NOT_FOUND_MESSAGE) => new ApiError(404, 'NOT_FOUND', message)

const sobjectEndpoint = (name: string) => (name.toLowerCase().endsWith('__e') ? 'sobjects/:event' : `sobjects/${name}`)

// A single call reports a record failure as a request-level error: the status code becomes the errorCode.
function failure(result: SaveResult): ApiError {
  const [error] = result.errors
  return new ApiError(400, error?.statusCode ?? 'UNKNOWN_EXCEPTION', error?.message ?? '', error?.fields)
}

/** The writable object a path names; events have no rows to patch or delete, so they are not found either. */
function rowObject(name: string): ObjectSpec {
  const object = recordObject(name, WRITABLE_OBJECTS)
  if (!object) throw notFound()
  return object
}

function bodyRecord(body: unknown): SObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object')
  }
  return body as SObject
}

export function registerSObjects(app: FastifyInstance, state: OrgState): void {
  app.patch<{ Params: { version: string; name: string; id: string } }>(
    '/:version/sobjects/:name/:id',
    { config: { endpoint: (params: Record<string, string>) => `sobjects/${params.name}/:id` } },
    async (request, reply) => {
      const { version, name, id } = request.params
      checkVersion(version)
      const object = rowObject(name)
      // Salesforce reads a segment that is not an Id as an external-ID field name.
      if (!isWellFormedId(id)) throw notFound(`Provided external ID field does not exist or is not accessible: ${id}`)
      if (!id.startsWith(object.keyPrefix ?? '') || state.isDeleted(id) || !state.findRecord(id)) throw notFound()
      const record = bodyRecord(request.body)
      checkJsonTypes(object, record)
      const prepared = prepareUpdate(state, { ...record, attributes: { type: object.name }, id }, object.name, {
        writer: request.writer,
      })
      if (!prepared.ok) throw failure(prepared.result)
      prepared.apply()
      return reply.code(204).send()
    },
  )

  // "Deletes the record … returns 204 No Content"; a deleted record goes to the recycle bin (REST API Developer Guide,
  // sObject Rows, resources_sobject_retrieve.htm). A second delete finds it deleted.
  app.delete<{ Params: { version: string; name: string; id: string } }>(
    '/:version/sobjects/:name/:id',
    { config: { endpoint: (params: Record<string, string>) => `sobjects/${params.name}/:id` } },
    async (request, reply) => {
      const { version, name, id } = request.params
      checkVersion(version)
      const object = rowObject(name)
      if (!isWellFormedId(id)) throw notFound(`Provided external ID field does not exist or is not accessible: ${id}`)
      if (state.isDeleted(id)) throw new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted')
      if (!id.startsWith(object.keyPrefix ?? '') || !state.findRecord(id)) throw notFound()
      state.deleteRecord(id, request.writer)
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { version: string; name: string } }>(
    '/:version/sobjects/:name',
    { config: { endpoint: (params: Record<string, string>) => sobjectEndpoint(params.name ?? '') } },
    async (request, reply) => {
      const { version, name } = request.params
      checkVersion(version)
      const object = objectFor(state, name)
      if (!object) throw notFound()
      const record = bodyRecord(request.body)
      checkJsonTypes(object, record)
      const prepared = prepareCreate(state, { ...record, attributes: { type: object.name } }, object.name, {
        writer: request.writer,
      })
      if (!prepared.ok) throw failure(prepared.result)
      return sendJson(reply, 201, prepared.apply())
    },
  )
}
