// Changes outside operations and component schemas: OpenAPI version, servers, info, security and the like.
import { collectOperations } from './operations.js'
import { asObject, type JsonObject, list, type SpecChange, sameJson } from './types.js'

// Everything outside paths and component schemas, so that no edit to the document goes unseen.
export function documentChanges(docB: JsonObject, docA: JsonObject): SpecChange[] {
  const changes: SpecChange[] = []
  const before = collectOperations(docB)
  const allIds = [...collectOperations(docA).keys()].filter((id) => before.has(id)).sort()
  if (!sameJson(docB.openapi, docA.openapi)) {
    const version = String(docA.openapi ?? docA.swagger ?? '')
    const accepted = /^3\.0\./.test(version) || version === '2.0'
    changes.push({
      kind: accepted ? 'safe' : 'breaking',
      area: 'schema',
      pointer: '/openapi',
      operationIds: [],
      summary: `OpenAPI version changed from ${String(docB.openapi)} to ${version}${accepted ? '' : ': External Services accept only 2.0 and 3.0'}`,
    })
  }
  if (!sameJson(basePaths(docB), basePaths(docA))) {
    changes.push({
      kind: 'breaking',
      area: 'operation',
      pointer: '/servers',
      operationIds: allIds,
      summary: `server base path changed from ${list(basePaths(docB))} to ${list(basePaths(docA))}: every action calls another URL`,
    })
  } else if (!sameJson(docB.servers, docA.servers)) {
    changes.push({ kind: 'safe', area: 'schema', pointer: '/servers', operationIds: [], summary: '`servers` changed' })
  }
  const tops = [...new Set([...Object.keys(docB), ...Object.keys(docA)])]
    .filter((key) => !['openapi', 'paths', 'components', 'servers'].includes(key))
    .map((key) => [key, docB[key], docA[key]] as const)
  const componentKeys = [
    ...new Set([...Object.keys(asObject(docB.components)), ...Object.keys(asObject(docA.components))]),
  ]
    .filter((key) => key !== 'schemas')
    .map((key) => [`components/${key}`, asObject(docB.components)[key], asObject(docA.components)[key]] as const)
  for (const [key, b, a] of [...tops, ...componentKeys]) {
    if (sameJson(b, a)) continue
    changes.push({
      kind: 'safe',
      area: 'schema',
      pointer: `/${key}`,
      operationIds: [],
      summary: `\`${key}\` changed (${IGNORED[key] ?? 'operations that use it list their own changes'})`,
    })
  }
  return changes
}

const IGNORED: Record<string, string> = {
  info: 'documentation only',
  tags: 'ignored by External Services',
  externalDocs: 'ignored by External Services',
  security: 'ignored by External Services: the Named Credential authenticates',
  'components/securitySchemes': 'ignored by External Services: the Named Credential authenticates',
}

// The Named Credential supplies scheme and host; only the path of the first server reaches the callout URL.
const basePaths = (doc: JsonObject): string[] => {
  const first = Array.isArray(doc.servers) ? asObject(doc.servers[0]).url : undefined
  if (typeof first !== 'string') return ['/']
  const path = first.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
  return [path.replace(/\/+$/, '') || '/']
}
