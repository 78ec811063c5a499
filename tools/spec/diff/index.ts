// diffSpecs: every difference between two versions of the OpenAPI document, classified for a registered External Service.
//
// Why not a library: the npm candidates were tried on the same pair of specs (openapi-diff 0.24.1,
// api-smart-diff 1.0.6, @useoptic/openapi-utilities 1.0.9, openapi-schema-diff 0.0.1; @pb33f/openapi-changes
// downloads a Go binary at install, which this environment cannot fetch). All match operations by path and method
// and classify by generic HTTP rules, while Flow knows an action by its operationId and a field by its Apex type:
// a renamed operationId came out as an "annotation", an int32 → int64 response field as non-breaking although
// it retypes the Apex field, a new output enum value as breaking, a moved path as unrelated removal + addition,
// and a change inside a shared component was repeated once per operation. Bending their rule engines into these
// semantics would cost more than the few hundred lines below, which have no dependencies.
//
// "Breaking" means either of: the existing registration (holding the old spec) misbehaves against the new service,
// or re-registering the new spec forces edits to Flows built on the old one.
import { documentChanges } from './document.js'
import { collectOperations, diffOperations, type OperationSink } from './operations.js'
import { diffSchema, type Finding } from './schema.js'
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
  type SpecChange,
  sameJson,
} from './types.js'

export { renderMarkdown } from './markdown.js'
export type { ChangeArea, ChangeKind, SpecChange } from './types.js'

const SIDES: Side[] = ['input', 'output']
const AREA_ORDER = ['operation', 'parameter', 'request', 'response', 'schema']

export function diffSpecs(before: unknown, after: unknown): SpecChange[] {
  const docB = asObject(before)
  const docA = asObject(after)
  const changes: SpecChange[] = []
  // Edges "owner uses component" per side, owner being `op:<id>` or `schema:<name>`.
  const edges: Record<Side, Map<string, Set<string>>> = { input: new Map(), output: new Map() }
  const addEdge = (side: Side, owner: string, component: string) => {
    const targets = edges[side].get(owner) ?? new Set<string>()
    targets.add(component)
    edges[side].set(owner, targets)
  }
  const sink: OperationSink = {
    push: (change) => changes.push(change),
    uses: (side, operationId, component) => addEdge(side, `op:${operationId}`, component),
  }
  diffOperations(docB, docA, sink)

  const schemasB = asObject(asObject(docB.components).schemas)
  const schemasA = asObject(asObject(docA.components).schemas)
  const findings = new Map<string, ComponentFinding>()
  const done = new Set<string>()
  const queue: [Side, string][] = SIDES.flatMap((side) =>
    [...edges[side].values()].flatMap((targets) => [...targets].map((name): [Side, string] => [side, name])),
  )
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [side, name] = next
    if (done.has(`${side}:${name}`)) continue
    done.add(`${side}:${name}`)
    const base = pointerJoin('', 'components', 'schemas', name)
    diffSchema(
      {
        side,
        before: docB,
        after: docA,
        emit: (finding) => {
          const key = `${finding.pointer}\u0000${finding.text}`
          const entry = findings.get(key) ?? { finding, sides: {}, owners: { input: new Set(), output: new Set() } }
          entry.sides[side] = finding
          entry.owners[side].add(name)
          findings.set(key, entry)
        },
        useComponent: (used) => {
          addEdge(side, `schema:${name}`, used)
          queue.push([side, used])
        },
      },
      schemasB[name],
      schemasA[name],
      { pb: base, pa: base, label: name },
    )
  }
  for (const { finding, sides, owners } of findings.values()) {
    const users = (side: Side) => [...new Set([...owners[side]].flatMap((owner) => usersOf(edges[side], owner)))].sort()
    changes.push(componentChange(finding, sides, users))
  }
  changes.push(...componentsOutsideOperations(docB, docA, schemasB, schemasA, done))
  changes.push(...documentChanges(docB, docA))
  if (changes.length === 0 && !sameJson(docB, docA)) {
    changes.push({
      kind: 'safe',
      area: 'schema',
      pointer: '',
      operationIds: [],
      summary: 'the document changed outside anything a Flow action uses',
    })
  }
  return merged(changes).sort(
    (x, y) =>
      Number(x.kind === 'safe') - Number(y.kind === 'safe') ||
      AREA_ORDER.indexOf(x.area) - AREA_ORDER.indexOf(y.area) ||
      (x.operationIds[0] ?? '').localeCompare(y.operationIds[0] ?? '') ||
      x.pointer.localeCompare(y.pointer),
  )
}

// Path-level edits are seen once per operation on the path; show them once, naming all of those operations.
function merged(changes: SpecChange[]): SpecChange[] {
  const byKey = new Map<string, SpecChange>()
  for (const change of changes) {
    const key = [change.kind, change.area, change.pointer, change.summary].join('\u0000')
    const seen = byKey.get(key)
    if (seen) seen.operationIds = [...new Set([...seen.operationIds, ...change.operationIds])].sort()
    else byKey.set(key, change)
  }
  return [...byKey.values()]
}

interface ComponentFinding {
  finding: Finding
  sides: Partial<Record<Side, Finding>>
  /** The components whose comparison produced it, per side. */
  owners: Record<Side, Set<string>>
}

// One entry per component change, naming every operation that reaches it; a change that breaks inputs but not
// outputs says so, since the same component often serves both.
function componentChange(
  finding: Finding,
  sides: Partial<Record<Side, Finding>>,
  users: (side: Side) => string[],
): SpecChange {
  const present = SIDES.filter((side) => sides[side])
  const kinds = new Set(present.map((side) => sides[side]?.kind))
  const kind: ChangeKind = kinds.has('breaking') ? 'breaking' : 'safe'
  const operationIds = [...new Set(present.flatMap(users))].sort()
  let summary = finding.text
  if (kinds.size > 1) {
    summary += ` — ${present.map((side) => `${sides[side]?.kind} as ${side} of ${list(users(side))}`).join('; ')}`
  }
  const notes = present.flatMap((side) => sides[side]?.note ?? [])
  if (notes.length > 0) summary += ` (${[...new Set(notes)].join('; ')})`
  return { kind, area: 'schema', pointer: finding.pointer, operationIds, summary }
}

function usersOf(graph: Map<string, Set<string>>, component: string): string[] {
  const users: string[] = []
  for (const owner of graph.keys()) {
    if (owner.startsWith('op:') && reaches(graph, owner, component, new Set())) users.push(owner.slice(3))
  }
  return users.sort()
}

function reaches(graph: Map<string, Set<string>>, owner: string, component: string, seen: Set<string>): boolean {
  if (seen.has(owner)) return false
  seen.add(owner)
  for (const target of graph.get(owner) ?? []) {
    if (target === component || reaches(graph, `schema:${target}`, component, seen)) return true
  }
  return false
}

// Components no matched operation compared: added, removed, or only used by operations that were added or removed.
function componentsOutsideOperations(
  docB: JsonObject,
  docA: JsonObject,
  schemasB: JsonObject,
  schemasA: JsonObject,
  compared: Set<string>,
): SpecChange[] {
  const changes: SpecChange[] = []
  const usersB = referencingOperations(docB)
  const usersA = referencingOperations(docA)
  const names = [...new Set([...Object.keys(schemasB), ...Object.keys(schemasA)])].sort()
  for (const name of names) {
    const pointer = pointerJoin('', 'components', 'schemas', name)
    if (!(name in schemasA)) {
      const users = [...(usersB.get(name) ?? [])].sort()
      changes.push({
        kind: users.length > 0 ? 'breaking' : 'safe',
        area: 'schema',
        pointer,
        operationIds: users,
        summary:
          users.length > 0
            ? `component \`${name}\` removed: Flow variables of this Apex type no longer compile`
            : `component \`${name}\` removed (no operation used it)`,
      })
    } else if (!(name in schemasB)) {
      changes.push({
        kind: 'safe',
        area: 'schema',
        pointer,
        operationIds: [...(usersA.get(name) ?? [])].sort(),
        summary: `component \`${name}\` added`,
      })
    } else if (!compared.has(`input:${name}`) && !compared.has(`output:${name}`)) {
      if (sameJson(schemasB[name], schemasA[name])) continue
      changes.push({
        kind: 'safe',
        area: 'schema',
        pointer,
        operationIds: [...(usersA.get(name) ?? [])].sort(),
        summary: `component \`${name}\` changed; no operation uses it in both versions`,
      })
    }
  }
  return changes
}

/** For each component, the operations whose inputs or outputs reach it, following references transitively. */
function referencingOperations(doc: JsonObject): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>()
  const schemas = asObject(asObject(doc.components).schemas)
  for (const op of collectOperations(doc).values()) {
    const seen = new Set<string>()
    const pending: unknown[] = [op.node, op.pathItem.parameters]
    while (pending.length > 0) {
      const node = pending.pop()
      if (Array.isArray(node)) pending.push(...node)
      else if (isObject(node)) {
        const name = componentName(node)
        if (name && !seen.has(name)) {
          seen.add(name)
          pending.push(schemas[name])
          const set = users.get(name) ?? new Set<string>()
          set.add(op.id)
          users.set(name, set)
        } else if (typeof node.$ref === 'string' && node.$ref.startsWith('#/components/') && !name) {
          pending.push(deref(doc, node, '').node)
        }
        pending.push(...Object.values(node))
      }
    }
  }
  return users
}
