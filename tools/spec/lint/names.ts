// Rules on the names that become Apex classes, properties, parameters and Flow actions.
import { Buffer } from 'node:buffer'
import { isApexReservedWord } from '../apex-reserved-words.js'
import type { Finding, Located } from './types.js'
import { type Context, pointerTo } from './walk.js'

const apexIdentifier = /^[A-Za-z][A-Za-z0-9]*$/

const utf8Hex = (char: string) =>
  [...Buffer.from(char, 'utf8')].map((b) => `x${b.toString(16).padStart(2, '0')}`).join('')

/** What External Services registers instead: `type` → `z0type`, `order_id` → `orderx5fid`, `5g` → `x35g`. */
export function flowName(name: string): string {
  if (isApexReservedWord(name)) return `z0${name}`
  return [...name]
    .map((char, i) => (/[A-Za-z]/.test(char) || (i > 0 && /[0-9]/.test(char)) ? char : utf8Hex(char)))
    .join('')
}

/** A lowerCamelCase or PascalCase spelling of the name that Apex takes as it is. */
export function suggestName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean)
  let candidate = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('') || 'value'
  if (/^[0-9]/.test(candidate)) candidate = `n${candidate}`
  if (isApexReservedWord(candidate)) candidate = `${candidate}Value`
  return candidate
}

interface Named {
  kind: string
  name: string
  pointer: string
}

function namesOf(ctx: Context): Named[] {
  const names: Named[] = []
  for (const op of ctx.operations) {
    if (op.node.operationId) {
      names.push({ kind: 'operationId', name: op.node.operationId, pointer: pointerTo(op.pointer, 'operationId') })
    }
    for (const p of op.parameters)
      names.push({ kind: 'parameter', name: p.node.name, pointer: pointerTo(p.pointer, 'name') })
  }
  for (const name of Object.keys(ctx.doc.components?.schemas ?? {})) {
    names.push({ kind: 'schema', name, pointer: pointerTo('', 'components', 'schemas', name) })
  }
  for (const schema of ctx.schemas) {
    for (const name of Object.keys(schema.node.properties ?? {})) {
      names.push({ kind: 'property', name, pointer: pointerTo(schema.pointer, 'properties', name) })
    }
  }
  return names
}

function renameFix({ kind, name }: Named): string {
  // @fastify/swagger names shared schemas def-0, def-1… unless refResolver.buildLocalReference returns the $id.
  if (kind === 'schema' && /^def-\d+$/.test(name)) {
    return 'give the TypeBox schema a PascalCase $id and make refResolver.buildLocalReference return json.$id'
  }
  return `rename it to "${suggestName(name)}" or another name of letters and digits that starts with a letter`
}

export function apexSafeName(ctx: Context): Finding[] {
  return namesOf(ctx).flatMap((named) => {
    const problem = isApexReservedWord(named.name)
      ? 'is an Apex reserved word'
      : apexIdentifier.test(named.name)
        ? undefined
        : 'is not an Apex identifier (letters and digits, starting with a letter)'
    if (!problem) return []
    return [
      {
        pointer: named.pointer,
        message: `${named.kind} "${named.name}" ${problem}`,
        fix: `Flow would show "${flowName(named.name)}"; ${renameFix(named)}`,
      },
    ]
  })
}

/** Reports every name after the first that matches an earlier one case-insensitively. */
function clashes(names: Located<string>[], what: string, fix: string): Finding[] {
  const first = new Map<string, Located<string>>()
  return names.flatMap((at) => {
    const earlier = first.get(at.node.toLowerCase())
    if (!earlier) {
      first.set(at.node.toLowerCase(), at)
      return []
    }
    return [
      {
        pointer: at.pointer,
        message: `${what} "${at.node}" clashes with "${earlier.node}" at ${earlier.pointer}`,
        fix,
      },
    ]
  })
}

export function duplicateOperationId(ctx: Context): Finding[] {
  const ids = ctx.operations.flatMap((op) =>
    op.node.operationId ? [{ pointer: pointerTo(op.pointer, 'operationId'), node: op.node.operationId }] : [],
  )
  return clashes(ids, 'operationId', 'give each operation its own operationId; Apex compares names case-insensitively')
}

export function duplicateName(ctx: Context): Finding[] {
  const fix = 'rename one of them; Apex class and field names are case-insensitive'
  const schemaNames = Object.keys(ctx.doc.components?.schemas ?? {}).map((name) => ({
    pointer: pointerTo('', 'components', 'schemas', name),
    node: name,
  }))
  return [
    ...clashes(schemaNames, 'schema', fix),
    ...ctx.schemas.flatMap((schema) =>
      clashes(
        Object.keys(schema.node.properties ?? {}).map((name) => ({
          pointer: pointerTo(schema.pointer, 'properties', name),
          node: name,
        })),
        'property',
        fix,
      ),
    ),
  ]
}
