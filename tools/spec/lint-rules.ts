// What Salesforce External Services and Flow need from our OpenAPI document, as a table of rules over it.
import { agentActions, agentTopic, hasAppLinkExtensions, herokuAuthorization } from './lint/applink-rules.js'
import { apexSafeName, duplicateName, duplicateOperationId } from './lint/names.js'
import {
  bodyErrorResponses,
  descriptionLength,
  errorResponseSchema,
  jsonOnly,
  noAuthorizationHeaderParam,
  noCookieParam,
  noGetBody,
  openapiVersion,
  operationIdRequired,
  responses2xx,
  responses4xx,
  responses401,
  responses500,
  unsupportedMethod,
} from './lint/operation-rules.js'
import {
  integerFormat,
  noComposition,
  noConst,
  noNestedArrays,
  noNullType,
  noOpenMap,
  noUntypedSchema,
  numberFormat,
} from './lint/schema-rules.js'
import type { Finding, LintFailure, OpenApiDocument } from './lint/types.js'
import { buildContext, type Context } from './lint/walk.js'

export type { LintFailure, OpenApiDocument, Operation, Schema } from './lint/types.js'

export interface Rule {
  id: string
  /** Why the rule exists, in one line. */
  why: string
  check: (ctx: Context) => Finding[]
}

export const rules: Rule[] = [
  { id: 'openapi-version', why: 'External Services registers OpenAPI 2.0 and 3.0, not 3.1', check: openapiVersion },
  { id: 'unsupported-method', why: 'only GET, PUT, POST, PATCH and DELETE become actions', check: unsupportedMethod },
  { id: 'operation-id-required', why: 'the operationId is the Flow action name', check: operationIdRequired },
  { id: 'duplicate-operation-id', why: 'operation names must differ case-insensitively', check: duplicateOperationId },
  { id: 'apex-safe-name', why: 'names become Apex identifiers; others are shown encoded', check: apexSafeName },
  { id: 'duplicate-name', why: 'Apex classes and fields clash case-insensitively', check: duplicateName },
  { id: 'no-const', why: '`const` is OpenAPI 3.1', check: noConst },
  { id: 'no-null-type', why: 'OpenAPI 3.0 has no null type and no type arrays', check: noNullType },
  { id: 'no-composition', why: 'anyOf/oneOf give types Flow cannot assign; `not` is rejected', check: noComposition },
  { id: 'no-nested-arrays', why: 'Flow has no List<List<T>> fields', check: noNestedArrays },
  { id: 'no-open-map', why: 'maps become Apex Map, unusable in Flow', check: noOpenMap },
  { id: 'no-untyped-schema', why: 'untyped schemas become Apex Object, unusable in Flow', check: noUntypedSchema },
  { id: 'integer-format', why: 'integers need int32/int64 for defaults and Integer vs Long', check: integerFormat },
  { id: 'number-format', why: 'numbers should say double or float', check: numberFormat },
  { id: 'json-only', why: 'bodies are application/json only', check: jsonOnly },
  { id: 'no-get-body', why: 'GET and DELETE take input in the path or query', check: noGetBody },
  { id: 'responses-2xx', why: 'a JSON success response gives Flow typed outputs', check: responses2xx },
  { id: 'responses-4xx', why: 'declared client errors reach Flow typed', check: responses4xx },
  { id: 'responses-500', why: 'declared server errors reach Flow typed', check: responses500 },
  { id: 'responses-401', why: 'a failing Named Credential should reach Flow typed', check: responses401 },
  {
    id: 'body-error-responses',
    why: 'a body can always be refused as invalid, too large or not JSON',
    check: bodyErrorResponses,
  },
  { id: 'error-response-schema', why: 'all error outputs share the ErrorResponse type', check: errorResponseSchema },
  {
    id: 'description-length',
    why: 'External Services keeps 1,333 characters of a description',
    check: descriptionLength,
  },
  { id: 'no-cookie-param', why: 'External Services sends no cookies', check: noCookieParam },
  {
    id: 'no-authorization-header-param',
    why: 'the Named Credential supplies Authorization',
    check: noAuthorizationHeaderParam,
  },
]

/** Heroku AppLink's extensions, on the document `heroku salesforce:publish` takes. */
export const appLinkRules: Rule[] = [
  {
    id: 'applink-agent-topic',
    why: 'an agent topic needs its name, description, scope and instructions',
    check: agentTopic,
  },
  { id: 'applink-agent-actions', why: 'a topic needs actions, and each action its two flags', check: agentActions },
  {
    id: 'applink-authorization',
    why: 'user mode plus needs a permission set and an External Client App',
    check: herokuAuthorization,
  },
]

/** Lints a parsed (not dereferenced) OpenAPI document; an empty list means External Services and Flow can use it. */
export function lintSpec(spec: OpenApiDocument): LintFailure[] {
  const ctx = buildContext(spec)
  const seen = new Set<string>()
  // A shared parameter or response is reached from every operation that uses it; report it once.
  return [...rules, ...(hasAppLinkExtensions(ctx) ? appLinkRules : [])]
    .flatMap(({ id, check }) => check(ctx).map(({ pointer, message, fix }) => ({ pointer, rule: id, message, fix })))
    .filter((failure) => {
      const key = `${failure.rule} ${failure.pointer} ${failure.message}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}

/** The operations External Services would offer as actions. */
export const countOperations = (spec: OpenApiDocument): number => buildContext(spec).operations.length
