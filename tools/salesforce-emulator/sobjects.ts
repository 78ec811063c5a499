// Single-record resources: PATCH and DELETE /sobjects/Product2/{Id}, POST /sobjects/{Name} (a Product2 or an event).
import type { FastifyInstance } from 'fastify'
import { isWellFormedId, KEY_PREFIX } from './ids.js'
import type { OrgState, SObject } from './org-state.js'
import { checkJsonTypes, objectFor, prepareCreate, prepareUpdate } from './save.js'
import { productObject } from './schema.js'
import { ApiError, checkVersion, NOT_FOUND_MESSAGE, type SaveResult, sendJson } from './wire.js'

const notFound = (message = NOT_FOUND_MESSAGE) => new ApiError(404, 'NOT_FOUND', message)

const sobjectEndpoint = (name: string) => (name.toLowerCase().endsWith('__e') ? 'sobjects/:event' : `sobjects/${name}`)

// A single call reports a record failure as a request-level error: the status code becomes the errorCode.
function failure(result: SaveResult): ApiError {
  const [error] = result.errors
  return new ApiError(400, error?.statusCode ?? 'UNKNOWN_EXCEPTION', error?.message ?? '', error?.fields)
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
      if (name.toLowerCase() !== productObject.name.toLowerCase()) throw notFound()
      // Salesforce reads a segment that is not an Id as an external-ID field name.
      if (!isWellFormedId(id)) throw notFound(`Provided external ID field does not exist or is not accessible: ${id}`)
      if (!id.startsWith(KEY_PREFIX.product) || state.isDeleted(id) || !state.findProduct(id)) throw notFound()
      const record = bodyRecord(request.body)
      checkJsonTypes(productObject, record)
      const prepared = prepareUpdate(
        state,
        { ...record, attributes: { type: productObject.name }, id },
        name,
        request.writer,
      )
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
      if (name.toLowerCase() !== productObject.name.toLowerCase()) throw notFound()
      if (!isWellFormedId(id)) throw notFound(`Provided external ID field does not exist or is not accessible: ${id}`)
      if (state.isDeleted(id)) throw new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted')
      if (!id.startsWith(KEY_PREFIX.product) || !state.findProduct(id)) throw notFound()
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
      const prepared = prepareCreate(
        state,
        { ...record, attributes: { type: object.name } },
        object.name,
        request.writer,
      )
      if (!prepared.ok) throw failure(prepared.result)
      return sendJson(reply, 201, prepared.apply())
    },
  )
}
