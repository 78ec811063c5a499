// The slice of an OpenAPI document the External Services lint reads; loose on purpose, since it must describe bad specs too.

export interface Ref {
  $ref: string
}

export interface Schema {
  $ref?: string
  type?: string | string[]
  format?: string
  description?: string
  properties?: Record<string, Schema>
  items?: Schema
  additionalProperties?: boolean | Schema
  patternProperties?: Record<string, Schema>
  allOf?: Schema[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  not?: Schema
  const?: unknown
  enum?: unknown[]
  [keyword: string]: unknown
}

export interface MediaType {
  schema?: Schema
  [key: string]: unknown
}

export interface Parameter {
  name: string
  in: string
  description?: string
  required?: boolean
  schema?: Schema
  content?: Record<string, MediaType>
  [key: string]: unknown
}

export interface RequestBody {
  description?: string
  required?: boolean
  content?: Record<string, MediaType>
}

export interface Response {
  description?: string
  content?: Record<string, MediaType>
  [key: string]: unknown
}

export type SecurityRequirement = Record<string, string[]>

export interface Operation {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: (Parameter | Ref)[]
  requestBody?: RequestBody | Ref
  responses?: Record<string, Response | Ref>
  security?: SecurityRequirement[]
  [key: string]: unknown
}

export type PathItem = { parameters?: (Parameter | Ref)[] } & { [method: string]: unknown }

export interface OpenApiDocument {
  openapi?: string
  swagger?: string
  info?: { title?: string; version?: string; description?: string; [key: string]: unknown }
  paths?: Record<string, PathItem>
  components?: {
    schemas?: Record<string, Schema>
    parameters?: Record<string, Parameter>
    requestBodies?: Record<string, RequestBody>
    responses?: Record<string, Response>
    securitySchemes?: Record<string, unknown>
    [key: string]: unknown
  }
  security?: SecurityRequirement[]
  [key: string]: unknown
}

export interface LintFailure {
  /** JSON pointer into the document, e.g. /paths/~1orders/post/responses/201 */
  pointer: string
  /** kebab-case rule id */
  rule: string
  message: string
  fix: string
}

/** A failure before the rule table names it. */
export type Finding = Omit<LintFailure, 'rule'>

/** A node of the document together with where it sits. */
export interface Located<T> {
  pointer: string
  node: T
}
