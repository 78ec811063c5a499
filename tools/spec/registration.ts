// Renders the ExternalServiceRegistration metadata that carries the generated OpenAPI document into Salesforce.

export const REGISTRATION_PATH =
  'salesforce/force-app/main/default/externalServiceRegistrations/Flowcart.externalServiceRegistration-meta.xml'

export interface RegistrationOptions {
  /** Label shown in Setup; the Flow action prefix comes from the file name, not from this. */
  label?: string
  /** API name of the Named Credential the callouts go through. */
  namedCredential?: string
  /** Upload file name without extension, as Setup records it. */
  schemaUploadFileName?: string
  /** Overrides the description taken from the spec's info. */
  description?: string
}

const DEFAULTS = {
  label: 'Flowcart',
  namedCredential: 'Flowcart',
  schemaUploadFileName: 'flowcart',
} as const

// The registration's description field holds at most 255 characters.
const MAX_DESCRIPTION = 255

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // An XML parser turns a literal CR into LF, so only a reference keeps the embedded schema byte-exact.
  '\r': '&#13;',
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

// XML 1.0 Char production; anything outside it cannot appear in the file even as a reference.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

export function escapeXml(text: string): string {
  const bad = NOT_XML_CHAR.exec(text)
  if (bad) {
    const code = bad[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')
    throw new Error(`U+${code} at index ${bad.index} cannot be represented in XML 1.0`)
  }
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c)
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (ref, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16))
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10))
    const named = NAMED_ENTITIES[body]
    if (named === undefined) throw new Error(`Unknown XML entity ${ref}`)
    return named
  })
}

interface SpecShape {
  info?: { title?: unknown; description?: unknown }
  paths?: Record<string, Record<string, unknown> | undefined>
}

/** operationIds in document order: paths as listed, then methods as listed under each path. */
export function listOperationIds(spec: SpecShape): string[] {
  const ids: string[] = []
  const seen = new Set<string>()
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item ?? {})) {
      if (!HTTP_METHODS.has(method)) continue
      const id = (operation as { operationId?: unknown } | null)?.operationId
      // Salesforce would derive a name from method and path, which Flow builders could not predict.
      if (typeof id !== 'string' || id === '') throw new Error(`${method.toUpperCase()} ${path} has no operationId`)
      // Operation names are the action names in Flow, compared without regard to case.
      const key = id.toLowerCase()
      if (seen.has(key)) throw new Error(`Duplicate operationId ${id} (${method.toUpperCase()} ${path})`)
      seen.add(key)
      ids.push(id)
    }
  }
  return ids
}

function registrationDescription(spec: SpecShape, override: string | undefined, fallback: string): string {
  const candidates = [override, spec.info?.description, spec.info?.title, fallback]
  const raw = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '') ?? fallback
  const flat = raw.replace(/\s+/g, ' ').trim()
  const chars = Array.from(flat)
  if (chars.length <= MAX_DESCRIPTION) return flat
  return `${chars
    .slice(0, MAX_DESCRIPTION - 1)
    .join('')
    .trimEnd()}…`
}

function element(name: string, value: string): string {
  return `    <${name}>${escapeXml(value)}</${name}>`
}

export function renderExternalServiceRegistration(specJson: string, options: RegistrationOptions = {}): string {
  const spec = JSON.parse(specJson) as SpecShape
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('The spec is not a JSON object')
  const label = options.label ?? DEFAULTS.label
  const namedCredential = options.namedCredential ?? DEFAULTS.namedCredential
  const uploadName = options.schemaUploadFileName ?? DEFAULTS.schemaUploadFileName
  const operations = listOperationIds(spec).map((id) =>
    [
      '    <operations>',
      '        <active>true</active>',
      `        <name>${escapeXml(id)}</name>`,
      '    </operations>',
    ].join('\n'),
  )
  // Elements in the alphabetical order Salesforce itself writes on retrieve, so a retrieve diffs cleanly.
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ExternalServiceRegistration xmlns="http://soap.sforce.com/2006/04/metadata">',
    element('description', registrationDescription(spec, options.description, label)),
    element('label', label),
    // The reference's element for the named credential by name (API 39.0). Salesforce's VS Code tooling writes
    // namedCredentialReference, which the Metadata API reference does not list (salesforce/README.md).
    element('namedCredential', namedCredential),
    ...operations,
    element('registrationProviderType', 'Custom'),
    // The document goes in verbatim, so the embedded copy matches the generated file byte for byte.
    `    <schema>${escapeXml(specJson)}</schema>`,
    element('schemaType', 'OpenApi3'),
    element('schemaUploadFileExtension', 'json'),
    element('schemaUploadFileName', uploadName),
    element('status', 'Complete'),
    '</ExternalServiceRegistration>',
  ]
  return `${lines.join('\n')}\n`
}

/** The OpenAPI document embedded in a registration file, un-escaped. */
export function parseEmbeddedSchema(xml: string): string {
  const matches = [...xml.matchAll(/<schema>([\s\S]*?)<\/schema>/g)]
  if (matches.length !== 1) throw new Error(`Expected one <schema> element, found ${matches.length}`)
  const body = matches[0]?.[1] ?? ''
  if (body.includes('<')) throw new Error('<schema> holds markup; expected escaped text only')
  return unescapeXml(body)
}
