// The change record every part of the spec diff produces, and the JSON helpers they share.
export type ChangeKind = 'breaking' | 'safe'
export type ChangeArea = 'operation' | 'parameter' | 'request' | 'response' | 'schema'

export interface SpecChange {
  kind: ChangeKind
  area: ChangeArea
  /** JSON pointer into the current spec, or into the base spec when the thing is gone. */
  pointer: string
  operationIds: string[]
  summary: string
}

/** Inputs are what Flow sends (parameters, request body), outputs what it reads (responses). */
export type Side = 'input' | 'output'

export type JsonObject = Record<string, unknown>

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const asObject = (value: unknown): JsonObject => (isObject(value) ? value : {})

export const sameJson = (a: unknown, b: unknown): boolean => stableJson(a) === stableJson(b)

// Key order carries no meaning in the spec, so it must not show up as a change.
export const stableJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (isObject(v) ? sortKeys(v) : v))

const sortKeys = (value: JsonObject): JsonObject =>
  Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  )

export const pointerJoin = (base: string, ...tokens: (string | number)[]): string =>
  base + tokens.map((token) => `/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')

export function pointerGet(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc
  let node = doc
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) node = node[Number(token)]
    else if (isObject(node)) node = node[token]
    else return undefined
  }
  return node
}

const SCHEMA_REF = '#/components/schemas/'

/** The component a schema points at: External Services turns it into a named Apex type. */
export const componentName = (schema: unknown): string | undefined => {
  const ref = isObject(schema) ? schema.$ref : undefined
  return typeof ref === 'string' && ref.startsWith(SCHEMA_REF)
    ? decodeURIComponent(ref.slice(SCHEMA_REF.length))
    : undefined
}

export interface Located {
  node: unknown
  pointer: string
}

/** Follows local `$ref`s (parameters, bodies, responses, schemas) to the object they name. */
export function deref(doc: JsonObject, node: unknown, pointer: string): Located {
  const seen = new Set<string>()
  let current: Located = { node, pointer }
  while (isObject(current.node) && typeof current.node.$ref === 'string' && current.node.$ref.startsWith('#')) {
    const target = current.node.$ref.slice(1)
    if (seen.has(target)) break
    seen.add(target)
    current = { node: pointerGet(doc, decodeURIComponent(target)), pointer: target }
  }
  return current
}

export const list = (values: Iterable<string>): string => [...values].map((v) => `\`${v}\``).join(', ')
