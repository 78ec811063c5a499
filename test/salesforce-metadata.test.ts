// Checks the Salesforce DX metadata under salesforce/ against the code's API names and the generated OpenAPI document.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { ELEVATED_AUTHORIZATION } from '../src/http/applink-document.js'
import {
  DEFAULT_INVENTORY_EVENT,
  DEFAULT_PRODUCT_MATCH_FIELD,
  DEFAULT_STOCK_FIELD,
  INVENTORY_EVENT_FIELDS,
} from '../src/salesforce/names.js'
import {
  escapeXml,
  listOperationIds,
  parseEmbeddedSchema,
  REGISTRATION_PATH,
  renderExternalServiceRegistration,
} from '../tools/spec/registration.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SALESFORCE = join(ROOT, 'salesforce')
const DEFAULT_DIR = join(SALESFORCE, 'force-app/main/default')
const APPLINK_DIR = join(SALESFORCE, 'applink/main/default')
const SPEC_PATH = join(ROOT, 'openapi.generated.json')

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

const ALL_FILES = walk(SALESFORCE)
const XML_FILES = ALL_FILES.filter((f) => f.endsWith('.xml'))

// Values stay strings so "18" is compared as written; repeated elements are always arrays.
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) =>
    [
      'operations',
      'externalCredentialParameters',
      'namedCredentialParameters',
      'externalCredentialPrincipalAccesses',
    ].includes(name),
})

type Node = Record<string, unknown>

function readMetadata(relativePath: string, rootElement: string, dir = DEFAULT_DIR): Node {
  const xml = readFileSync(join(dir, relativePath), 'utf8')
  const doc = parser.parse(xml) as Node
  const root = doc[rootElement] as Node | undefined
  if (!root) throw new Error(`${relativePath} has no <${rootElement}> root`)
  return root
}

const eventDir = `objects/${DEFAULT_INVENTORY_EVENT}`
const eventFieldNames = Object.values(INVENTORY_EVENT_FIELDS)

describe('salesforce/ XML files', () => {
  it('finds the metadata files', () => {
    expect(XML_FILES.length).toBeGreaterThanOrEqual(8)
  })

  it.each(XML_FILES.map((f) => [relative(ROOT, f), f]))('%s is well formed', (_name, file) => {
    const xml = readFileSync(file, 'utf8')
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true)
    expect(xml.endsWith('\n')).toBe(true)
    expect(xml).toContain('xmlns="http://soap.sforce.com/2006/04/metadata"')
  })

  it('sfdx-project.json declares force-app as the default package directory', () => {
    const project = JSON.parse(readFileSync(join(SALESFORCE, 'sfdx-project.json'), 'utf8')) as {
      name: string
      sourceApiVersion: string
      packageDirectories: { path: string; default?: boolean }[]
    }
    expect(project.name).toBe('flowcart')
    expect(project.sourceApiVersion).toMatch(/^\d+\.0$/)
    expect(project.packageDirectories[0]).toEqual({ path: 'force-app', default: true })
  })
})

describe('API names match src/salesforce/names.ts', () => {
  it('Product2 stock field', () => {
    const field = readMetadata(`objects/Product2/fields/${DEFAULT_STOCK_FIELD}.field-meta.xml`, 'CustomField')
    expect(field.fullName).toBe(DEFAULT_STOCK_FIELD)
    expect(field.label).toBe('Qty In Stock')
    expect(field.type).toBe('Number')
    expect(field.precision).toBe('18')
    expect(field.scale).toBe('0')
    expect(typeof field.description).toBe('string')
  })

  it('platform event object', () => {
    const event = readMetadata(`${eventDir}/${DEFAULT_INVENTORY_EVENT}.object-meta.xml`, 'CustomObject')
    expect(DEFAULT_INVENTORY_EVENT).toMatch(/__e$/)
    expect(event.deploymentStatus).toBe('Deployed')
    expect(event.eventType).toBe('HighVolume')
    expect(['PublishImmediately', 'PublishAfterCommit']).toContain(event.publishBehavior)
  })

  it('platform event declares exactly the fields the code publishes', () => {
    const files = readdirSync(join(DEFAULT_DIR, eventDir, 'fields')).sort()
    expect(files).toEqual(eventFieldNames.map((name) => `${name}.field-meta.xml`).sort())
    for (const name of eventFieldNames) {
      const field = readMetadata(`${eventDir}/fields/${name}.field-meta.xml`, 'CustomField')
      expect(field.fullName).toBe(name)
    }
  })

  it.each([
    [INVENTORY_EVENT_FIELDS.productId, { type: 'Number', precision: '18', scale: '0' }],
    [INVENTORY_EVENT_FIELDS.quantityInStock, { type: 'Number', precision: '18', scale: '0' }],
    [INVENTORY_EVENT_FIELDS.sku, { type: 'Text', length: '255' }],
  ])('event field %s has the agreed type', (name, expected) => {
    const field = readMetadata(`${eventDir}/fields/${name}.field-meta.xml`, 'CustomField')
    expect(field).toMatchObject(expected)
  })
})

describe('credentials', () => {
  const external = readMetadata('externalCredentials/Flowcart.externalCredential-meta.xml', 'ExternalCredential')
  const named = readMetadata('namedCredentials/Flowcart.namedCredential-meta.xml', 'NamedCredential')
  const permissionSet = readMetadata('permissionsets/Flowcart_Integration.permissionset-meta.xml', 'PermissionSet')
  const params = external.externalCredentialParameters as Node[]
  const principals = params.filter((p) => p.parameterType === 'NamedPrincipal')

  it('external credential uses Basic with exactly one named principal and no other parameters', () => {
    expect(external.authenticationProtocol).toBe('Basic')
    expect(principals).toHaveLength(1)
    expect(params).toHaveLength(1)
    expect(principals[0]?.parameterValue).toBeUndefined()
  })

  it('named credential is a secured endpoint that uses the external credential', () => {
    const nodes = named.namedCredentialParameters as Node[]
    expect(named.namedCredentialType).toBe('SecuredEndpoint')
    expect(named.generateAuthorizationHeader).toBe('true')
    const auth = nodes.filter((p) => p.parameterType === 'Authentication')
    expect(auth).toEqual([
      { externalCredential: 'Flowcart', parameterName: 'ExternalCredential', parameterType: 'Authentication' },
    ])
    const url = nodes.find((p) => p.parameterType === 'Url')?.parameterValue
    expect(url).toMatch(/^https:\/\/[^/]+$/)
  })

  it('permission set grants the principal the external credential declares', () => {
    const accesses = permissionSet.externalCredentialPrincipalAccesses as Node[]
    const expected = `Flowcart-${principals[0]?.parameterName}`
    expect(accesses).toEqual([{ enabled: 'true', externalCredentialPrincipal: expected }])
  })

  // A Named Credential callout needs the principal and Read on User External Credentials ("Troubleshooting for
  // Named Credentials", https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.nc_troubleshoot.htm). The element
  // names are the Metadata API's PermissionSet ones (objectPermissions: allowRead, object, ...;
  // https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm).
  it('the callout permission set also grants Read, and only Read, on User External Credentials', () => {
    const objects = [permissionSet.objectPermissions].flat() as Node[]
    expect(objects).toEqual([
      {
        allowCreate: 'false',
        allowDelete: 'false',
        allowEdit: 'false',
        allowRead: 'true',
        modifyAllRecords: 'false',
        object: 'UserExternalCredential',
        viewAllFields: 'false',
        viewAllRecords: 'false',
      },
    ])
  })

  it('the service permission set holds exactly what flowcart does as its integration user', () => {
    const service = readMetadata('permissionsets/Flowcart_Service.permissionset-meta.xml', 'PermissionSet')
    const fields = ([service.fieldPermissions].flat() as Node[]).map((f) => [f.field, f.readable, f.editable])
    expect(fields).toEqual([
      ['Product2.Description', 'true', 'false'],
      [`Product2.${DEFAULT_PRODUCT_MATCH_FIELD}`, 'true', 'false'],
      [`Product2.${DEFAULT_STOCK_FIELD}`, 'true', 'true'],
    ])
    const objects = ([service.objectPermissions].flat() as Node[]).map((o) => ({
      object: o.object,
      granted: ['allowCreate', 'allowRead', 'allowEdit', 'allowDelete', 'modifyAllRecords', 'viewAllRecords'].filter(
        (name) => o[name] === 'true',
      ),
    }))
    // View All Records on the objects whose change events flowcart receives, as Change Data Capture requires of a
    // subscriber, and never View All Data, a user permission: none is granted (salesforce/README.md, "Letting
    // flowcart follow Product2").
    expect(objects).toEqual([
      { object: DEFAULT_INVENTORY_EVENT, granted: ['allowCreate', 'allowRead'] },
      { object: 'Pricebook2', granted: ['allowRead', 'viewAllRecords'] },
      { object: 'Product2', granted: ['allowRead', 'allowEdit', 'viewAllRecords'] },
    ])
    expect(service.externalCredentialPrincipalAccesses).toBeUndefined()
    expect(service.userPermissions).toBeUndefined()
  })

  it('the AppLink permission set is session-activated and grants only the stock write getInventory makes', () => {
    const name = ELEVATED_AUTHORIZATION.permissionSet
    const elevated = readMetadata(`permissionsets/${name}.permissionset-meta.xml`, 'PermissionSet', APPLINK_DIR)
    expect(elevated.hasActivationRequired).toBe('true')
    const fields = ([elevated.fieldPermissions].flat() as Node[]).map((f) => [f.field, f.readable, f.editable])
    expect(fields).toEqual([
      [`Product2.${DEFAULT_PRODUCT_MATCH_FIELD}`, 'true', 'false'],
      [`Product2.${DEFAULT_STOCK_FIELD}`, 'true', 'true'],
    ])
    const objects = ([elevated.objectPermissions].flat() as Node[]).map((o) => [o.object, o.allowEdit, o.allowCreate])
    expect(objects).toEqual([['Product2', 'true', 'false']])
    expect(elevated.userPermissions).toBeUndefined()
  })

  it('the registration uses the named credential', () => {
    if (!existsSync(join(ROOT, REGISTRATION_PATH))) return
    const xml = readFileSync(join(ROOT, REGISTRATION_PATH), 'utf8')
    const registration = (parser.parse(xml) as Node).ExternalServiceRegistration as Node
    expect(registration.namedCredential).toBe('Flowcart')
  })
})

// A committed basic-auth header is base64 of "user:password"; plain prose after "Basic" doesn't decode to that.
const basicCredentials = (text: string) =>
  [...text.matchAll(/Basic\s+([A-Za-z0-9+/]{4,}={0,2})/g)]
    .map((m) => Buffer.from(m[1] ?? '', 'base64').toString('latin1'))
    .filter((decoded) => /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded))

describe('no secrets are committed', () => {
  const SECRET_ELEMENT = /<(\w*(password|secret|token|apikey|privatekey)\w*)>/i
  const SECRET_ASSIGNMENT = /\b(password|passwd|secret|api[_-]?key|token)\b["']?\s*[:=]\s*["']?([^\s"'{<$]+)/i

  it('the secret scan recognises a basic-auth header', () => {
    expect(basicCredentials(`Authorization: Basic ${Buffer.from('flowcart:hunter2').toString('base64')}`)).toHaveLength(
      1,
    )
    expect(basicCredentials('Basic authentication with one named principal')).toEqual([])
    expect('password=hunter2').toMatch(SECRET_ASSIGNMENT)
    expect('"password": { "value": "<password>", "encrypted": true }').not.toMatch(SECRET_ASSIGNMENT)
  })

  it.each(ALL_FILES.map((f) => [relative(ROOT, f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8')
    const scanned = file === join(ROOT, REGISTRATION_PATH) ? text.replace(/<schema>[\s\S]*<\/schema>/, '') : text
    expect(basicCredentials(scanned)).toEqual([])
    expect(scanned).not.toMatch(SECRET_ASSIGNMENT)
    if (file.endsWith('.xml')) {
      expect(scanned).not.toMatch(SECRET_ELEMENT)
      expect(scanned).not.toMatch(/AuthParameter|AuthHeader/)
    }
  })
})

const TRICKY_SPEC = `${JSON.stringify(
  {
    openapi: '3.0.3',
    info: { title: 'T', version: '1', description: `Stock <&> "quoted" and 'single' ]]> done` },
    paths: {
      '/b': { parameters: [], post: { operationId: 'postB', responses: {} } },
      '/a': {
        get: { operationId: 'getA', description: 'a < b && c > "d"', responses: {} },
        delete: { operationId: 'deleteA', responses: {} },
      },
    },
  },
  null,
  2,
)}\n`

describe('renderExternalServiceRegistration', () => {
  const xml = renderExternalServiceRegistration(TRICKY_SPEC)
  const registration = (parser.parse(xml) as Node).ExternalServiceRegistration as Node

  it('produces well-formed XML that round-trips the spec byte for byte', () => {
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(parseEmbeddedSchema(xml)).toBe(TRICKY_SPEC)
  })

  it('escapes every XML special character in the schema', () => {
    const body = xml.slice(xml.indexOf('<schema>') + '<schema>'.length, xml.indexOf('</schema>'))
    expect(body).not.toMatch(/[<>"']/)
    expect(body).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#13);)/)
    expect(body).toContain('a &lt; b &amp;&amp; c &gt; \\&quot;d\\&quot;')
    expect(body).toContain('&apos;single&apos;')
  })

  it('keeps carriage returns through an XML parser', () => {
    const crlf = TRICKY_SPEC.replace(/\n/g, '\r\n')
    const out = renderExternalServiceRegistration(crlf)
    expect(out).not.toContain('\r')
    expect(parseEmbeddedSchema(out)).toBe(crlf)
  })

  it('lists one active operation per operationId in document order', () => {
    expect(registration.operations).toEqual([
      { active: 'true', name: 'postB' },
      { active: 'true', name: 'getA' },
      { active: 'true', name: 'deleteA' },
    ])
  })

  it('writes the fields the reference documents, with the values Salesforce tooling writes for OpenAPI 3.0', () => {
    expect(registration).toMatchObject({
      description: `Stock <&> "quoted" and 'single' ]]> done`,
      label: 'Flowcart',
      namedCredential: 'Flowcart',
      registrationProviderType: 'Custom',
      schemaType: 'OpenApi3',
      schemaUploadFileExtension: 'json',
      schemaUploadFileName: 'flowcart',
      status: 'Complete',
    })
    const order = [...xml.matchAll(/^ {4}<(\w+)>/gm)].map((m) => m[1])
    expect(order.filter((name, i) => order.indexOf(name) === i)).toEqual([
      'description',
      'label',
      'namedCredential',
      'operations',
      'registrationProviderType',
      'schema',
      'schemaType',
      'schemaUploadFileExtension',
      'schemaUploadFileName',
      'status',
    ])
  })

  it('is deterministic and ends with a newline', () => {
    expect(renderExternalServiceRegistration(TRICKY_SPEC)).toBe(xml)
    expect(xml.endsWith('</ExternalServiceRegistration>\n')).toBe(true)
  })

  it('falls back to the title and caps the description at 255 characters', () => {
    const untitled = JSON.stringify({ info: { title: 'Flowcart API' }, paths: {} })
    expect(renderExternalServiceRegistration(untitled)).toContain('<description>Flowcart API</description>')
    const long = JSON.stringify({ info: { title: 'x', description: `${'word '.repeat(100)}\n\nmore` }, paths: {} })
    const description = (
      (parser.parse(renderExternalServiceRegistration(long)) as Node).ExternalServiceRegistration as Node
    ).description as string
    expect(Array.from(description).length).toBeLessThanOrEqual(255)
    expect(description).not.toMatch(/\s{2}|\n/)
  })

  it('honours options', () => {
    const out = renderExternalServiceRegistration(TRICKY_SPEC, {
      label: 'Flowcart Sandbox',
      namedCredential: 'Flowcart_Sandbox',
      schemaUploadFileName: 'flowcart-sandbox',
      description: 'Override',
    })
    expect(out).toContain('<label>Flowcart Sandbox</label>')
    expect(out).toContain('<namedCredential>Flowcart_Sandbox</namedCredential>')
    expect(out).toContain('<schemaUploadFileName>flowcart-sandbox</schemaUploadFileName>')
    expect(out).toContain('<description>Override</description>')
  })

  it('rejects operations without an operationId and case-insensitive duplicates', () => {
    const missing = JSON.stringify({ paths: { '/x': { get: { responses: {} } } } })
    expect(() => renderExternalServiceRegistration(missing)).toThrow(/GET \/x has no operationId/)
    const dup = JSON.stringify({
      paths: { '/x': { get: { operationId: 'getX' } }, '/y': { get: { operationId: 'GetX' } } },
    })
    expect(() => renderExternalServiceRegistration(dup)).toThrow(/Duplicate operationId/)
  })

  it('rejects characters XML 1.0 cannot carry', () => {
    expect(() => escapeXml('a\u0001b')).toThrow(/U\+0001/)
    expect(() => renderExternalServiceRegistration('{"info":{"title":"\uFFFF"},"paths":{}}')).toThrow(/U\+FFFF/)
  })

  it('parseEmbeddedSchema refuses files without exactly one schema element', () => {
    expect(() => parseEmbeddedSchema('<a/>')).toThrow(/found 0/)
    expect(() => parseEmbeddedSchema('<schema>x</schema><schema>y</schema>')).toThrow(/found 2/)
  })
})

describe('committed registration', () => {
  it('embeds openapi.generated.json byte for byte', () => {
    const spec = readFileSync(SPEC_PATH, 'utf8')
    const xml = readFileSync(join(ROOT, REGISTRATION_PATH), 'utf8')
    expect(parseEmbeddedSchema(xml)).toBe(spec)
  })

  it('is exactly what the render function produces from the spec', () => {
    const spec = readFileSync(SPEC_PATH, 'utf8')
    const xml = readFileSync(join(ROOT, REGISTRATION_PATH), 'utf8')
    expect(xml).toBe(renderExternalServiceRegistration(spec))
    const names = [...xml.matchAll(/<name>([^<]*)<\/name>/g)].map((m) => m[1])
    expect(names).toEqual(listOperationIds(JSON.parse(spec)))
  })
})
