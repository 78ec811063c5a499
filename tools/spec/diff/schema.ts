// Compares two JSON schemas the way a registered External Service sees them: as Apex types read or filled by Flow.
import {
  asObject,
  type ChangeKind,
  componentName,
  deref,
  isObject,
  type JsonObject,
  list,
  pointerJoin,
  type Side,
  sameJson,
  stableJson,
} from './types.js'

/** A change found inside a schema; its text does not depend on the side, its kind and note do. */
export interface Finding {
  kind: ChangeKind
  pointer: string
  text: string
  note?: string
}

export interface SchemaContext {
  side: Side
  before: JsonObject
  after: JsonObject
  emit(finding: Finding): void
  /** Both versions reference this component here: its own changes are reported once, under its name. */
  useComponent(name: string): void
}

export interface Where {
  /** Pointer in the base spec. */
  pb: string
  /** Pointer in the current spec. */
  pa: string
  /** Field path as a Flow builder reads it, e.g. `body.lines[].sku`. */
  label: string
}

const LOWER_BOUNDS = ['minimum', 'minLength', 'minItems', 'minProperties']
const UPPER_BOUNDS = ['maximum', 'maxLength', 'maxItems', 'maxProperties']
const OTHER_LIMITS = ['pattern', 'multipleOf', 'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems']
const STRUCTURAL = new Set([
  '$ref',
  'type',
  'format',
  'enum',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'allOf',
  'anyOf',
  'oneOf',
  ...LOWER_BOUNDS,
  ...UPPER_BOUNDS,
  ...OTHER_LIMITS,
])

const onInput = (ctx: SchemaContext, input: ChangeKind, output: ChangeKind): ChangeKind =>
  ctx.side === 'input' ? input : output

const typeName = (name: string | undefined): string => (name ? `\`${name}\`` : 'an inline schema')

export function diffSchema(ctx: SchemaContext, before: unknown, after: unknown, at: Where, seen = new Set<string>()) {
  const refB = componentName(before)
  const refA = componentName(after)
  if (refB && refB === refA) {
    ctx.useComponent(refB)
    return
  }
  if (refB || refA) {
    // The component name is the Apex type name: Flow variables declared with the old type no longer fit.
    ctx.emit({
      kind: 'breaking',
      pointer: at.pa,
      text: `\`${at.label}\`: type changed from ${typeName(refB)} to ${typeName(refA)}`,
    })
    const pair = `${refB}|${refA}`
    if (seen.has(pair)) return
    seen.add(pair)
  }
  const b = deref(ctx.before, before, at.pb)
  const a = deref(ctx.after, after, at.pa)
  compareResolved(
    ctx,
    literalUnion(flattenAllOf(ctx.before, b.node)),
    literalUnion(flattenAllOf(ctx.after, a.node)),
    { ...at, pb: b.pointer, pa: a.pointer },
    seen,
  )
}

function compareResolved(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: Where, seen: Set<string>) {
  const typeB = typeOf(b)
  const typeA = typeOf(a)
  if (typeB !== typeA) {
    ctx.emit({ kind: 'breaking', pointer: at.pa, text: `\`${at.label}\`: type changed from ${typeB} to ${typeA}` })
    return
  }
  if (!sameJson(b.format, a.format)) {
    // Formats pick the Apex type (int32 Integer, int64 Long, date-time Datetime...), so any change retypes the field.
    ctx.emit({
      kind: 'breaking',
      pointer: pointerJoin(at.pa, 'format'),
      text: `\`${at.label}\`: format changed from ${show(b.format)} to ${show(a.format)}`,
    })
  }
  compareEnum(ctx, b, a, at)
  compareLimits(ctx, b, a, at)
  compareVariants(ctx, b, a, at, seen)
  compareProperties(ctx, b, a, at, seen)
  if (typeA === 'array' || b.items !== undefined || a.items !== undefined) {
    diffSchema(
      ctx,
      b.items ?? {},
      a.items ?? {},
      { pb: pointerJoin(at.pb, 'items'), pa: pointerJoin(at.pa, 'items'), label: `${at.label}[]` },
      seen,
    )
  }
  compareMaps(ctx, b, a, at, seen)
  const other = [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((key) => !STRUCTURAL.has(key) && !sameJson(b[key], a[key]))
    .sort()
  if (other.length > 0) {
    ctx.emit({ kind: 'safe', pointer: at.pa, text: `\`${at.label}\`: ${list(other)} changed` })
  }
}

function compareEnum(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: Where) {
  const pointer = fromUnion.has(a) ? at.pa : pointerJoin(at.pa, 'enum')
  if (Array.isArray(b.enum) && Array.isArray(a.enum)) {
    const valuesB = new Set(b.enum.map(stableJson))
    const valuesA = new Set(a.enum.map(stableJson))
    const removed = [...valuesB].filter((v) => !valuesA.has(v))
    const added = [...valuesA].filter((v) => !valuesB.has(v))
    if (removed.length > 0) {
      ctx.emit({ kind: 'breaking', pointer, text: `\`${at.label}\`: enum value ${list(removed)} removed` })
    }
    if (added.length > 0) {
      ctx.emit({
        kind: 'safe',
        pointer,
        text: `\`${at.label}\`: enum value ${list(added)} added`,
        ...(ctx.side === 'output' && { note: 'Flow decisions that test this value may need a new outcome' }),
      })
    }
  } else if (Array.isArray(a.enum)) {
    ctx.emit({
      kind: onInput(ctx, 'breaking', 'safe'),
      pointer,
      text: `\`${at.label}\`: now limited to ${list(a.enum.map(stableJson))}`,
    })
  } else if (Array.isArray(b.enum)) {
    ctx.emit({
      kind: 'safe',
      pointer: at.pa,
      text: `\`${at.label}\`: no longer limited to ${list(b.enum.map(stableJson))}`,
      ...(ctx.side === 'output' && { note: 'Flow decisions that test this value may need a new outcome' }),
    })
  }
}

/** Tighter limits on an input reject values Flow sends today; on an output they only narrow what Flow receives. */
function compareLimits(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: Where) {
  for (const key of [...LOWER_BOUNDS, ...UPPER_BOUNDS, ...OTHER_LIMITS]) {
    const was = b[key]
    const is = a[key]
    if (sameJson(was, is)) continue
    let tighter: boolean
    if (is === undefined) tighter = false
    else if (was === undefined) tighter = true
    else if (LOWER_BOUNDS.includes(key)) tighter = Number(is) > Number(was)
    else if (UPPER_BOUNDS.includes(key)) tighter = Number(is) < Number(was)
    else tighter = true
    ctx.emit({
      kind: tighter ? onInput(ctx, 'breaking', 'safe') : 'safe',
      pointer: pointerJoin(is === undefined ? at.pb : at.pa, key),
      text: `\`${at.label}\`: \`${key}\` ${show(was)} → ${show(is)} (${tighter ? 'stricter' : 'looser'})`,
    })
  }
}

function compareVariants(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: Where, seen: Set<string>) {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const variantsB = Array.isArray(b[key]) ? b[key] : []
    const variantsA = Array.isArray(a[key]) ? a[key] : []
    if (variantsB.length === 0 && variantsA.length === 0) continue
    const common = Math.min(variantsB.length, variantsA.length)
    for (let i = 0; i < common; i++) {
      const label = `${at.label}<${key} ${i}>`
      diffSchema(
        ctx,
        variantsB[i],
        variantsA[i],
        { pb: pointerJoin(at.pb, key, i), pa: pointerJoin(at.pa, key, i), label },
        seen,
      )
    }
    if (variantsB.length > common) {
      ctx.emit({
        kind: 'breaking',
        pointer: pointerJoin(at.pb, key, common),
        text: `\`${at.label}\`: ${variantsB.length - common} \`${key}\` variant(s) removed`,
      })
    }
    if (variantsA.length > common) {
      ctx.emit({
        kind: 'safe',
        pointer: pointerJoin(at.pa, key, common),
        text: `\`${at.label}\`: ${variantsA.length - common} \`${key}\` variant(s) added`,
        ...(ctx.side === 'output' && { note: 'Flow may receive a shape it does not handle yet' }),
      })
    }
  }
}

function compareProperties(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: Where, seen: Set<string>) {
  const propsB = asObject(b.properties)
  const propsA = asObject(a.properties)
  const requiredB = new Set(Array.isArray(b.required) ? b.required : [])
  const requiredA = new Set(Array.isArray(a.required) ? a.required : [])
  const names = [...new Set([...Object.keys(propsB), ...Object.keys(propsA)])].sort()
  for (const name of names) {
    const label = `${at.label}.${name}`
    const where = {
      pb: pointerJoin(at.pb, 'properties', name),
      pa: pointerJoin(at.pa, 'properties', name),
      label,
    }
    if (!(name in propsA)) {
      ctx.emit({ kind: 'breaking', pointer: where.pb, text: `\`${label}\`: property removed` })
      continue
    }
    const isRequired = requiredA.has(name)
    if (!(name in propsB)) {
      ctx.emit({
        kind: isRequired ? onInput(ctx, 'breaking', 'safe') : 'safe',
        pointer: where.pa,
        text: `\`${label}\`: ${isRequired ? 'required' : 'optional'} property added`,
      })
      continue
    }
    const wasRequired = requiredB.has(name)
    if (!wasRequired && isRequired) {
      ctx.emit({ kind: onInput(ctx, 'breaking', 'safe'), pointer: where.pa, text: `\`${label}\`: became required` })
    } else if (wasRequired && !isRequired) {
      ctx.emit({
        kind: 'safe',
        pointer: where.pa,
        text: `\`${label}\`: became optional`,
        ...(ctx.side === 'output' && { note: 'Flow may now receive an empty value' }),
      })
    }
    diffSchema(ctx, propsB[name], propsA[name], where, seen)
  }
}

// A schema-valued additionalProperties is an Apex Map; gaining or losing one retypes the field.
function compareMaps(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: Where, seen: Set<string>) {
  const mapB = isObject(b.additionalProperties)
  const mapA = isObject(a.additionalProperties)
  const where = {
    pb: pointerJoin(at.pb, 'additionalProperties'),
    pa: pointerJoin(at.pa, 'additionalProperties'),
    label: `${at.label}{}`,
  }
  if (mapB && mapA) diffSchema(ctx, b.additionalProperties, a.additionalProperties, where, seen)
  else if (mapB !== mapA) {
    ctx.emit({
      kind: 'breaking',
      pointer: mapA ? where.pa : where.pb,
      text: `\`${at.label}\`: ${mapA ? 'became' : 'is no longer'} a map (\`additionalProperties\`)`,
    })
  } else if (!sameJson(b.additionalProperties, a.additionalProperties)) {
    ctx.emit({
      kind: 'safe',
      pointer: where.pa,
      text: `\`${at.label}\`: \`additionalProperties\` ${show(b.additionalProperties)} → ${show(a.additionalProperties)}`,
    })
  }
}

const typeOf = (schema: JsonObject): string => {
  if (typeof schema.type === 'string') return schema.type
  if (Array.isArray(schema.type)) return schema.type.join('|')
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return 'object'
  if (schema.items !== undefined) return 'array'
  return 'untyped'
}

// External Services composes allOf into one object, so compare the composed result, not its parts.
function flattenAllOf(doc: JsonObject, node: unknown, depth = 0): JsonObject {
  const schema = asObject(node)
  if (!Array.isArray(schema.allOf) || depth > 20) return schema
  const { allOf, ...rest } = schema
  const merged: JsonObject = { ...rest }
  const properties: JsonObject = {}
  const required = new Set<unknown>(Array.isArray(rest.required) ? rest.required : [])
  for (const part of allOf) {
    const resolved = flattenAllOf(doc, deref(doc, part, '').node, depth + 1)
    Object.assign(properties, asObject(resolved.properties))
    if (Array.isArray(resolved.required)) for (const name of resolved.required) required.add(name)
    for (const [key, value] of Object.entries(resolved)) {
      if (!(key in merged) && key !== 'properties' && key !== 'required') merged[key] = value
    }
  }
  Object.assign(properties, asObject(rest.properties))
  merged.properties = properties
  if (required.size > 0) merged.required = [...required]
  if (merged.type === undefined) merged.type = 'object'
  return merged
}

/** Schemas read from a union: their `enum` exists only here, so pointers stop at the schema. */
const fromUnion = new WeakSet<JsonObject>()

// TypeBox writes a union of literals as anyOf single-value branches; read it as the enum it means, so that a
// removed value is reported as such rather than as a reshuffle of variants.
function literalUnion(schema: JsonObject): JsonObject {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const variants = schema[key]
    if (!Array.isArray(variants) || variants.length === 0) continue
    const values: unknown[] = []
    const types = new Set<unknown>()
    for (const variant of variants) {
      const value = asObject(variant)
      const single = Array.isArray(value.enum) && value.enum.length === 1 ? value.enum[0] : value.const
      if (single === undefined) return schema
      values.push(single)
      types.add(value.type ?? typeof single)
    }
    if (types.size !== 1) return schema
    const { [key]: _variants, ...rest } = schema
    const collapsed = { ...rest, type: [...types][0], enum: values }
    fromUnion.add(collapsed)
    return collapsed
  }
  return schema
}

const show = (value: unknown): string => (value === undefined ? 'none' : `\`${stableJson(value)}\``)
