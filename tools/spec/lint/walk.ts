// Turns an OpenAPI document into the lists the rules read: operations with resolved parts, and every schema node once.
import type {
  Located,
  MediaType,
  OpenApiDocument,
  Operation,
  Parameter,
  Ref,
  RequestBody,
  Response,
  Schema,
} from './types.js'

export const supportedMethods = ['get', 'put', 'post', 'patch', 'delete'] as const
export const unsupportedMethods = ['head', 'options', 'trace'] as const

export interface LintOperation extends Located<Operation> {
  path: string
  method: string
  parameters: Located<Parameter>[]
  requestBody?: Located<RequestBody>
  responses: (Located<Response> & { status: string })[]
}

export interface Context {
  doc: OpenApiDocument
  operations: LintOperation[]
  unsupported: (Located<Operation> & { method: string })[]
  /** Every schema reachable from an operation or under components/schemas, each pointer once. */
  schemas: Located<Schema>[]
  resolveSchema: (at: Located<Schema>) => Located<Schema>
}

const escapeSegment = (segment: string | number) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1')

export const pointerTo = (base: string, ...segments: (string | number)[]) =>
  base + segments.map((s) => `/${escapeSegment(s)}`).join('')

const isRef = (value: unknown): value is Ref =>
  typeof value === 'object' && value !== null && typeof (value as Ref).$ref === 'string'

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function valueAt(doc: OpenApiDocument, pointer: string): unknown {
  let value: unknown = doc
  for (const raw of pointer.split('/').slice(1)) {
    const segment = safeDecode(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    if (!isObject(value) && !Array.isArray(value)) return undefined
    value = (value as Record<string, unknown>)[segment]
  }
  return value
}

/** Follows local `$ref`s to their target; stops at a cycle or a dangling reference (swagger-parser reports those). */
export function resolve<T>(doc: OpenApiDocument, at: Located<T | Ref>): Located<T> {
  const seen = new Set<string>()
  let { pointer, node } = at
  while (isRef(node) && node.$ref.startsWith('#/') && !seen.has(node.$ref)) {
    seen.add(node.$ref)
    const target = valueAt(doc, node.$ref.slice(1))
    if (target === undefined) break
    pointer = node.$ref.slice(1)
    node = target as T | Ref
  }
  return { pointer, node: node as T }
}

function collectOperations(doc: OpenApiDocument): Pick<Context, 'operations' | 'unsupported'> {
  const operations: LintOperation[] = []
  const unsupported: Context['unsupported'] = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const itemPointer = pointerTo('', 'paths', path)
    const shared = (item.parameters ?? []).map((node, i) => ({
      pointer: pointerTo(itemPointer, 'parameters', i),
      node,
    }))
    for (const method of unsupportedMethods) {
      if (isObject(item[method])) {
        unsupported.push({ pointer: pointerTo(itemPointer, method), node: item[method] as Operation, method })
      }
    }
    for (const method of supportedMethods) {
      const node = item[method]
      if (!isObject(node)) continue
      const op = node as Operation
      const pointer = pointerTo(itemPointer, method)
      const own = (op.parameters ?? []).map((p, i) => ({ pointer: pointerTo(pointer, 'parameters', i), node: p }))
      operations.push({
        pointer,
        node: op,
        path,
        method,
        parameters: [...shared, ...own].map((p) => resolve<Parameter>(doc, p)),
        requestBody: op.requestBody
          ? resolve<RequestBody>(doc, { pointer: pointerTo(pointer, 'requestBody'), node: op.requestBody })
          : undefined,
        responses: Object.entries(op.responses ?? {}).map(([status, response]) => ({
          status,
          ...resolve<Response>(doc, { pointer: pointerTo(pointer, 'responses', status), node: response }),
        })),
      })
    }
  }
  return { operations, unsupported }
}

const contentSchemas = (at: Located<{ content?: Record<string, MediaType> }>): Located<Schema>[] =>
  Object.entries(at.node.content ?? {}).flatMap(([mediaType, media]) =>
    media.schema ? [{ pointer: pointerTo(at.pointer, 'content', mediaType, 'schema'), node: media.schema }] : [],
  )

/** Children are walked where they are written; `$ref`s are not followed, their targets are roots of their own. */
function schemaChildren({ pointer, node }: Located<Schema>): Located<Schema>[] {
  const at = (...segments: (string | number)[]) => pointerTo(pointer, ...segments)
  const children: Located<Schema>[] = []
  for (const key of ['properties', 'patternProperties'] as const) {
    for (const [name, child] of Object.entries(node[key] ?? {})) children.push({ pointer: at(key, name), node: child })
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    for (const [i, child] of (node[key] ?? []).entries()) children.push({ pointer: at(key, i), node: child })
  }
  for (const key of ['items', 'not', 'additionalProperties'] as const) {
    const child = node[key]
    if (isObject(child)) children.push({ pointer: at(key), node: child as Schema })
  }
  return children
}

function collectSchemas(doc: OpenApiDocument, operations: LintOperation[]): Located<Schema>[] {
  const roots: Located<Schema>[] = Object.entries(doc.components?.schemas ?? {}).map(([name, node]) => ({
    pointer: pointerTo('', 'components', 'schemas', name),
    node,
  }))
  for (const op of operations) {
    for (const p of op.parameters) {
      if (isObject(p.node.schema)) roots.push({ pointer: pointerTo(p.pointer, 'schema'), node: p.node.schema })
      roots.push(...contentSchemas(p))
    }
    if (op.requestBody) roots.push(...contentSchemas(op.requestBody))
    for (const response of op.responses) roots.push(...contentSchemas(response))
  }
  const seen = new Set<string>()
  const schemas: Located<Schema>[] = []
  const visit = (at: Located<Schema>) => {
    if (seen.has(at.pointer) || !isObject(at.node)) return
    seen.add(at.pointer)
    schemas.push(at)
    for (const child of schemaChildren(at)) visit(child)
  }
  for (const root of roots) visit(root)
  return schemas
}

export function buildContext(doc: OpenApiDocument): Context {
  const { operations, unsupported } = collectOperations(doc)
  return {
    doc,
    operations,
    unsupported,
    schemas: collectSchemas(doc, operations),
    resolveSchema: (at) => resolve<Schema>(doc, at),
  }
}
