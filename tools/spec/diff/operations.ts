// Matches operations by operationId, as Flow names its actions, and compares their inputs and outputs.
import { diffSchema, type Finding, type SchemaContext } from './schema.js'
import {
  asObject,
  type ChangeArea,
  deref,
  isObject,
  type JsonObject,
  list,
  pointerJoin,
  type Side,
  type SpecChange,
  sameJson,
} from './types.js'

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export interface Operation {
  /** The operationId, or what External Services derives without one: method and path. */
  id: string
  method: string
  path: string
  pointer: string
  node: JsonObject
  pathItem: JsonObject
}

/** Where operation-level findings go; `uses` records which components an operation's inputs or outputs share. */
export interface OperationSink {
  push(change: SpecChange): void
  uses(side: Side, operationId: string, component: string): void
}

export function collectOperations(doc: JsonObject): Map<string, Operation> {
  const operations = new Map<string, Operation>()
  for (const [path, item] of Object.entries(asObject(doc.paths))) {
    const pathItem = asObject(item)
    for (const method of METHODS) {
      const node = pathItem[method]
      if (!isObject(node)) continue
      const route = `${method.toUpperCase()} ${path}`
      const declared = typeof node.operationId === 'string' ? node.operationId : route
      // A duplicate operationId (which registration rejects) must not hide the second operation's changes.
      const id = operations.has(declared) ? `${declared} (${route})` : declared
      operations.set(id, { id, method, path, pointer: pointerJoin('', 'paths', path, method), node, pathItem })
    }
  }
  return operations
}

// Renaming a path template variable keeps the URL; the parameter diff reports the renamed input.
const route = (op: Operation) => `${op.method} ${op.path.replace(/\{[^}]*\}/g, '{}')}`
const display = (op: Operation) => `\`${op.method.toUpperCase()} ${op.path}\``

export function diffOperations(before: JsonObject, after: JsonObject, sink: OperationSink) {
  const opsB = collectOperations(before)
  const opsA = collectOperations(after)
  const renamedTo = new Set<string>()
  for (const [id, opB] of opsB) {
    const opA = opsA.get(id)
    if (opA) {
      diffOperation(before, after, opB, opA, sink)
      continue
    }
    const successor = [...opsA.values()].find((op) => !opsB.has(op.id) && route(op) === route(opB))
    if (successor) {
      renamedTo.add(successor.id)
      sink.push({
        kind: 'breaking',
        area: 'operation',
        pointer: pointerJoin(successor.pointer, 'operationId'),
        operationIds: [id, successor.id],
        summary: `operation renamed from \`${id}\` to \`${successor.id}\`: Flow actions calling \`${id}\` must be re-added`,
      })
      diffOperation(before, after, opB, successor, sink)
    } else {
      sink.push({
        kind: 'breaking',
        area: 'operation',
        pointer: opB.pointer,
        operationIds: [id],
        summary: `operation removed (${display(opB)})`,
      })
    }
  }
  for (const [id, opA] of opsA) {
    if (opsB.has(id) || renamedTo.has(id)) continue
    sink.push({
      kind: 'safe',
      area: 'operation',
      pointer: opA.pointer,
      operationIds: [id],
      summary: `operation added (${display(opA)})`,
    })
  }
}

const DOC_KEYS = ['summary', 'description', 'tags', 'deprecated', 'externalDocs']

function diffOperation(before: JsonObject, after: JsonObject, opB: Operation, opA: Operation, sink: OperationSink) {
  const id = opA.id
  const push = (area: ChangeArea, kind: SpecChange['kind'], pointer: string, summary: string) =>
    sink.push({ kind, area, pointer, operationIds: [id], summary })
  if (route(opB) !== route(opA)) {
    push('operation', 'breaking', opA.pointer, `operation moved from ${display(opB)} to ${display(opA)}`)
  }
  const changedKeys = (keys: string[]) => keys.filter((key) => !sameJson(opB.node[key], opA.node[key]))
  const docs = changedKeys(DOC_KEYS)
  if (docs.length > 0) {
    const deprecated = opA.node.deprecated === true && opB.node.deprecated !== true
    push('operation', 'safe', opA.pointer, `${list(docs)} changed${deprecated ? ' (now deprecated)' : ''}`)
  }
  const servers = (op: Operation) => op.node.servers ?? op.pathItem.servers
  if (!sameJson(servers(opB), servers(opA))) {
    push('operation', 'breaking', opA.pointer, '`servers` changed: the action calls another URL')
  }
  const known = new Set([...DOC_KEYS, 'servers', 'operationId', 'parameters', 'requestBody', 'responses'])
  const other = [...new Set([...Object.keys(opB.node), ...Object.keys(opA.node)])]
    .filter((key) => !known.has(key) && !sameJson(opB.node[key], opA.node[key]))
    .sort()
  if (other.length > 0) push('operation', 'safe', opA.pointer, `${list(other)} changed (ignored by External Services)`)
  const pathDocs = ['summary', 'description'].filter((key) => !sameJson(opB.pathItem[key], opA.pathItem[key]))
  if (pathDocs.length > 0) {
    push('operation', 'safe', pointerJoin('', 'paths', opA.path), `path ${list(pathDocs)} changed`)
  }

  const context = (side: Side, area: ChangeArea): SchemaContext => ({
    side,
    before,
    after,
    emit: (finding: Finding) =>
      push(area, finding.kind, finding.pointer, finding.note ? `${finding.text} (${finding.note})` : finding.text),
    useComponent: (name) => sink.uses(side, id, name),
  })
  diffParameters(before, after, opB, opA, context('input', 'parameter'))
  diffRequestBody(before, after, opB, opA, context('input', 'request'))
  diffResponses(before, after, opB, opA, context('output', 'response'))
}

interface Parameter {
  name: string
  in: string
  pointer: string
  node: JsonObject
}

// Operation-level parameters override path-level ones with the same name and location.
function parametersOf(doc: JsonObject, op: Operation): Map<string, Parameter> {
  const result = new Map<string, Parameter>()
  const pathPointer = pointerJoin('', 'paths', op.path)
  const sources: [unknown, string][] = [
    [op.pathItem.parameters, pointerJoin(pathPointer, 'parameters')],
    [op.node.parameters, pointerJoin(op.pointer, 'parameters')],
  ]
  for (const [params, base] of sources) {
    if (!Array.isArray(params)) continue
    params.forEach((param, index) => {
      const resolved = deref(doc, param, pointerJoin(base, index))
      const node = asObject(resolved.node)
      const name = String(node.name)
      const location = String(node.in)
      const key = `${location}:${location === 'header' ? name.toLowerCase() : name}`
      result.set(key, { name, in: location, pointer: resolved.pointer, node })
    })
  }
  return result
}

// style and explode change how values are written into the URL: the registered spec would send the old form.
const PARAM_WIRE_KEYS = ['style', 'explode', 'allowReserved']

function diffParameters(before: JsonObject, after: JsonObject, opB: Operation, opA: Operation, ctx: SchemaContext) {
  const paramsB = parametersOf(before, opB)
  const paramsA = parametersOf(after, opA)
  const moved = new Set<string>()
  for (const [key, pb] of paramsB) {
    if (paramsA.has(key)) continue
    const pa = [...paramsA.entries()].find(([otherKey, p]) => p.name === pb.name && !paramsB.has(otherKey))
    if (pa) {
      moved.add(pa[0])
      ctx.emit({
        kind: 'breaking',
        pointer: pointerJoin(pa[1].pointer, 'in'),
        text: `parameter \`${pb.name}\` moved from ${pb.in} to ${pa[1].in}`,
      })
      compareParameter(ctx, pb, pa[1])
    } else {
      ctx.emit({ kind: 'breaking', pointer: pb.pointer, text: `parameter \`${pb.name}\` (${pb.in}) removed` })
    }
  }
  for (const [key, pa] of paramsA) {
    const pb = paramsB.get(key)
    if (pb) compareParameter(ctx, pb, pa)
    else if (!moved.has(key)) {
      const required = pa.node.required === true
      ctx.emit({
        kind: required ? 'breaking' : 'safe',
        pointer: pa.pointer,
        text: `${required ? 'required' : 'optional'} parameter \`${pa.name}\` (${pa.in}) added`,
      })
    }
  }
}

function compareParameter(ctx: SchemaContext, pb: Parameter, pa: Parameter) {
  const wasRequired = pb.node.required === true
  const isRequired = pa.node.required === true
  if (!wasRequired && isRequired) {
    ctx.emit({ kind: 'breaking', pointer: pa.pointer, text: `parameter \`${pa.name}\` became required` })
  } else if (wasRequired && !isRequired) {
    ctx.emit({ kind: 'safe', pointer: pa.pointer, text: `parameter \`${pa.name}\` became optional` })
  }
  const wire = PARAM_WIRE_KEYS.filter((key) => !sameJson(pb.node[key], pa.node[key]))
  if (wire.length > 0) {
    ctx.emit({ kind: 'breaking', pointer: pa.pointer, text: `parameter \`${pa.name}\`: ${list(wire)} changed` })
  }
  const known = new Set([...PARAM_WIRE_KEYS, 'name', 'in', 'required', 'schema', 'content'])
  const other = [...new Set([...Object.keys(pb.node), ...Object.keys(pa.node)])]
    .filter((key) => !known.has(key) && !sameJson(pb.node[key], pa.node[key]))
    .sort()
  if (other.length > 0) {
    ctx.emit({ kind: 'safe', pointer: pa.pointer, text: `parameter \`${pa.name}\`: ${list(other)} changed` })
  }
  const schemaB = mediaSchema(pb.node, pb.pointer)
  const schemaA = mediaSchema(pa.node, pa.pointer)
  diffSchema(ctx, schemaB.node, schemaA.node, { pb: schemaB.pointer, pa: schemaA.pointer, label: pa.name })
}

// A parameter carries its schema directly or, rarely, under one media type.
function mediaSchema(param: JsonObject, pointer: string) {
  if (param.schema !== undefined) return { node: param.schema, pointer: pointerJoin(pointer, 'schema') }
  const [type, media] = Object.entries(asObject(param.content))[0] ?? []
  if (type === undefined) return { node: {}, pointer }
  return { node: asObject(media).schema ?? {}, pointer: pointerJoin(pointer, 'content', type, 'schema') }
}

function diffRequestBody(before: JsonObject, after: JsonObject, opB: Operation, opA: Operation, ctx: SchemaContext) {
  const b = deref(before, opB.node.requestBody, pointerJoin(opB.pointer, 'requestBody'))
  const a = deref(after, opA.node.requestBody, pointerJoin(opA.pointer, 'requestBody'))
  if (!isObject(b.node) && !isObject(a.node)) return
  if (!isObject(a.node)) {
    ctx.emit({ kind: 'breaking', pointer: b.pointer, text: 'request body removed: Flow input `body` disappears' })
    return
  }
  const isRequired = a.node.required === true
  if (!isObject(b.node)) {
    ctx.emit({
      kind: isRequired ? 'breaking' : 'safe',
      pointer: a.pointer,
      text: `${isRequired ? 'required' : 'optional'} request body added`,
    })
    return
  }
  if (b.node.required !== true && isRequired) {
    ctx.emit({ kind: 'breaking', pointer: a.pointer, text: 'request body became required' })
  } else if (b.node.required === true && !isRequired) {
    ctx.emit({ kind: 'safe', pointer: a.pointer, text: 'request body became optional' })
  }
  if (!sameJson(b.node.description, a.node.description)) {
    ctx.emit({ kind: 'safe', pointer: a.pointer, text: 'request body `description` changed' })
  }
  diffContent(ctx, b.node, a.node, { pb: b.pointer, pa: a.pointer, label: 'body' })
}

function diffResponses(before: JsonObject, after: JsonObject, opB: Operation, opA: Operation, ctx: SchemaContext) {
  const responsesB = asObject(opB.node.responses)
  const responsesA = asObject(opA.node.responses)
  const codes = [...new Set([...Object.keys(responsesB), ...Object.keys(responsesA)])].sort()
  for (const code of codes) {
    const b = deref(before, responsesB[code], pointerJoin(opB.pointer, 'responses', code))
    const a = deref(after, responsesA[code], pointerJoin(opA.pointer, 'responses', code))
    // Each declared status code is its own Flow output (`200`, `404`...), holding the response body.
    if (!isObject(a.node)) {
      ctx.emit({
        kind: 'breaking',
        pointer: b.pointer,
        text: `response \`${code}\` removed: its Flow output disappears`,
      })
      continue
    }
    if (!isObject(b.node)) {
      ctx.emit({ kind: 'safe', pointer: a.pointer, text: `response \`${code}\` added` })
      continue
    }
    const nodeB = b.node
    const nodeA = a.node
    const other = ['description', 'headers', 'links'].filter((key) => !sameJson(nodeB[key], nodeA[key]))
    if (other.length > 0) {
      ctx.emit({ kind: 'safe', pointer: a.pointer, text: `response \`${code}\`: ${list(other)} changed` })
    }
    diffContent(ctx, nodeB, nodeA, { pb: b.pointer, pa: a.pointer, label: code })
  }
}

function diffContent(ctx: SchemaContext, b: JsonObject, a: JsonObject, at: { pb: string; pa: string; label: string }) {
  const contentB = asObject(b.content)
  const contentA = asObject(a.content)
  const what = ctx.side === 'input' ? 'request body' : `response \`${at.label}\``
  const removed = Object.keys(contentB).filter((type) => !(type in contentA))
  const added = Object.keys(contentA).filter((type) => !(type in contentB))
  if (removed.length > 0) {
    ctx.emit({
      kind: 'breaking',
      pointer: pointerJoin(at.pb, 'content'),
      text: `${what}: media type ${list(removed)} removed`,
    })
  }
  if (added.length > 0) {
    ctx.emit({ kind: 'safe', pointer: pointerJoin(at.pa, 'content'), text: `${what}: media type ${list(added)} added` })
  }
  for (const type of Object.keys(contentA).filter((t) => t in contentB)) {
    const mediaB = asObject(contentB[type])
    const mediaA = asObject(contentA[type])
    const pb = pointerJoin(at.pb, 'content', type, 'schema')
    const pa = pointerJoin(at.pa, 'content', type, 'schema')
    if (mediaB.schema === undefined && mediaA.schema === undefined) continue
    if (mediaA.schema === undefined) {
      ctx.emit({ kind: 'breaking', pointer: pb, text: `${what}: schema removed` })
    } else if (mediaB.schema === undefined) {
      ctx.emit({ kind: 'safe', pointer: pa, text: `${what}: schema added` })
    } else {
      diffSchema(ctx, mediaB.schema, mediaA.schema, { pb, pa, label: at.label })
    }
  }
}
