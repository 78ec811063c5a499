// Rules on the document, its operations, parameters, bodies and responses as External Services and Flow see them.
import type { Finding, Located, Response, Schema } from './types.js'
import { type Context, type LintOperation, pointerTo } from './walk.js'

const errorResponseRef = '#/components/schemas/ErrorResponse'
const maxDescription = 1333

const isJson = (mediaType: string) => mediaType.split(';')[0]?.trim().toLowerCase() === 'application/json'

const jsonSchema = (response: Response): Schema | undefined =>
  Object.entries(response.content ?? {}).find(([mediaType]) => isJson(mediaType))?.[1].schema

const where = (op: LintOperation) => `${op.method.toUpperCase()} ${op.path}`

export function openapiVersion({ doc }: Context): Finding[] {
  if (typeof doc.openapi === 'string' && /^3\.0\.\d+$/.test(doc.openapi)) return []
  const found = doc.openapi ?? (doc.swagger ? `swagger ${doc.swagger}` : 'nothing')
  return [
    {
      pointer: doc.openapi === undefined && doc.swagger ? '/swagger' : '/openapi',
      message: `openapi is ${JSON.stringify(found)}; External Services registers OpenAPI 3.0.x (3.1 is refused)`,
      fix: "emit openapi: '3.0.3' (the @fastify/swagger default with the `openapi` option)",
    },
  ]
}

export function unsupportedMethod(ctx: Context): Finding[] {
  return ctx.unsupported.map(({ pointer, method }) => ({
    pointer,
    message: `${method.toUpperCase()} is not an External Services method (GET, PUT, POST, PATCH, DELETE only)`,
    fix: 'leave exposeHeadRoutes off and hide the route from the spec (schema.hide: true)',
  }))
}

export function operationIdRequired(ctx: Context): Finding[] {
  return ctx.operations
    .filter((op) => !op.node.operationId)
    .map((op) => ({
      pointer: op.pointer,
      message: `${where(op)} has no operationId; Flow would name the action after the method and path`,
      fix: 'add a lowerCamelCase operationId to the route schema, e.g. getOrder',
    }))
}

export function jsonOnly(ctx: Context): Finding[] {
  const bodies = ctx.operations.flatMap((op) => [...(op.requestBody ? [op.requestBody] : []), ...op.responses])
  return bodies.flatMap(({ pointer, node }) =>
    Object.keys(node.content ?? {})
      .filter((mediaType) => !isJson(mediaType))
      .map((mediaType) => ({
        pointer: pointerTo(pointer, 'content', mediaType),
        message: `media type ${mediaType} is not application/json`,
        fix: "declare only 'application/json' content for request bodies and responses",
      })),
  )
}

export function noGetBody(ctx: Context): Finding[] {
  return ctx.operations
    .filter((op) => op.requestBody && (op.method === 'get' || op.method === 'delete'))
    .map((op) => ({
      pointer: pointerTo(op.pointer, 'requestBody'),
      message: `${where(op)} has a request body; External Services expects GET and DELETE input in the path or query`,
      fix: 'move the input to path or query parameters, or use POST',
    }))
}

const hasStatus = (op: LintOperation, pattern: RegExp) => op.responses.some((r) => pattern.test(r.status))

function missingResponse(ctx: Context, pattern: RegExp, message: string, fix: string): Finding[] {
  return ctx.operations
    .filter((op) => !hasStatus(op, pattern))
    .map((op) => ({ pointer: pointerTo(op.pointer, 'responses'), message: `${where(op)} ${message}`, fix }))
}

export function responses2xx(ctx: Context): Finding[] {
  return ctx.operations
    .filter((op) => !op.responses.some((r) => /^2(\d\d|XX)$/i.test(r.status) && jsonSchema(r.node)))
    .map((op) => ({
      pointer: pointerTo(op.pointer, 'responses'),
      message: `${where(op)} has no 2xx response with an application/json schema, so Flow gets no typed output`,
      fix: 'declare the success status (200 or 201) with a JSON response schema',
    }))
}

export const responses4xx = (ctx: Context) =>
  missingResponse(
    ctx,
    /^4(\d\d|XX)$/i,
    'declares no 4xx response; undeclared errors reach Flow only as an untyped string',
    'declare each client error it can send (400, 404, 409…) with the ErrorResponse schema',
  )

export const responses500 = (ctx: Context) =>
  missingResponse(
    ctx,
    /^5(00|XX)$/i,
    'declares no 500 response; undeclared errors reach Flow only as an untyped string',
    "declare '500' with the ErrorResponse schema",
  )

export function responses401(ctx: Context): Finding[] {
  const requiresAuth = (op: LintOperation) => {
    const security = op.node.security ?? ctx.doc.security ?? []
    // An empty requirement object means anonymous access is also allowed.
    return security.length > 0 && security.every((requirement) => Object.keys(requirement).length > 0)
  }
  return missingResponse(
    { ...ctx, operations: ctx.operations.filter(requiresAuth) },
    /^401$/,
    'requires credentials but declares no 401 response',
    "declare '401' with the ErrorResponse schema so a wrong Named Credential shows up as a typed fault",
  )
}

/** A server that takes a JSON body can always answer 400 (invalid), 413 (too large) and 415 (not JSON). */
export function bodyErrorResponses(ctx: Context): Finding[] {
  return ctx.operations
    .filter((op) => op.node.requestBody)
    .flatMap((op) =>
      ['400', '413', '415']
        .filter((status) => !op.responses.some((r) => r.status === status || r.status.toUpperCase() === '4XX'))
        .map((status) => ({
          pointer: pointerTo(op.pointer, 'responses'),
          message: `${where(op)} takes a request body but declares no ${status} response`,
          fix: `declare '${status}' with the ErrorResponse schema: every operation with a body can be answered ${status}`,
        })),
    )
}

export function errorResponseSchema(ctx: Context): Finding[] {
  const errors = ctx.operations.flatMap((op) => op.responses.filter((r) => !/^2/.test(r.status)))
  const findings: Finding[] = errors
    .filter((r) => jsonSchema(r.node)?.$ref !== errorResponseRef)
    .map((r) => ({
      pointer: r.pointer,
      message: `${r.status} response is not application/json with $ref ${errorResponseRef}`,
      fix: "use SchemaRef(ErrorResponse) for every error status, so Flow's fault outputs share one type",
    }))
  if (errors.length > 0 && !ctx.doc.components?.schemas?.ErrorResponse) {
    findings.push({
      pointer: '/components/schemas',
      message: 'no ErrorResponse schema under components/schemas',
      fix: "register the shared ErrorResponse schema (addSchema with $id 'ErrorResponse')",
    })
  }
  return findings
}

export function descriptionLength(ctx: Context): Finding[] {
  const described: Located<{ description?: unknown }>[] = [
    ...(ctx.doc.info ? [{ pointer: '/info', node: ctx.doc.info }] : []),
    ...ctx.operations,
    ...ctx.operations.flatMap((op) => op.parameters),
    ...ctx.schemas,
  ]
  return described
    .filter(({ node }) => typeof node.description === 'string' && node.description.length > maxDescription)
    .map(({ pointer, node }) => ({
      pointer: pointerTo(pointer, 'description'),
      message: `description is ${String(node.description).length} characters; External Services keeps the first ${maxDescription}`,
      fix: `shorten it to ${maxDescription} characters or fewer`,
    }))
}

const parameterRule =
  (test: (name: string, location: string) => boolean, message: string, fix: string) =>
  (ctx: Context): Finding[] =>
    ctx.operations
      .flatMap((op) => op.parameters)
      .filter(({ node }) => test(node.name, node.in))
      .map(({ pointer, node }) => ({ pointer, message: `parameter "${node.name}" ${message}`, fix }))

export const noCookieParam = parameterRule(
  (_name, location) => location === 'cookie',
  'is a cookie; External Services sends path, query and header parameters only',
  'pass it as a query or header parameter',
)

export const noAuthorizationHeaderParam = parameterRule(
  (name, location) => location === 'header' && name.toLowerCase() === 'authorization',
  'is the Authorization header, which the Named Credential supplies',
  'remove the parameter; describe the scheme under components/securitySchemes instead',
)
