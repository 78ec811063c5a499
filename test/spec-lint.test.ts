// The External Services lint: each rule fires on a small bad spec, names the right place, and a good spec passes.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import SwaggerParser from '@apidevtools/swagger-parser'
import { afterAll, describe, expect, it } from 'vitest'
import { isApexReservedWord } from '../tools/spec/apex-reserved-words.js'
import { lintSpec, type OpenApiDocument, type Operation, rules, type Schema } from '../tools/spec/lint-rules.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const errorRef = { $ref: '#/components/schemas/ErrorResponse' }
const json = (description: string, schema: Schema) => ({ description, content: { 'application/json': { schema } } })
const error = json('Error', errorRef)
const int32 = { type: 'integer', format: 'int32' }

/** Three operations shaped like flowcart's own: a list, a read by id and a create. */
function cleanSpec(): OpenApiDocument {
  return {
    openapi: '3.0.3',
    info: { title: 'flowcart', version: '1.0.0', description: 'Products, orders and inventory.' },
    security: [{ basicAuth: [] }],
    paths: {
      '/orders': {
        get: {
          operationId: 'getOrders',
          parameters: [
            { name: 'pageSize', in: 'query', schema: int32 },
            { name: 'offset', in: 'query', schema: int32 },
          ],
          responses: {
            '200': json('Orders', { type: 'array', items: { $ref: '#/components/schemas/Order' } }),
            '400': error,
            '401': error,
            '500': error,
          },
        },
        post: {
          operationId: 'postOrder',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderInput' } } },
          },
          responses: {
            '201': json('Created', { $ref: '#/components/schemas/Order' }),
            '400': error,
            '401': error,
            '409': { $ref: '#/components/responses/Conflict' },
            '413': error,
            '415': error,
            '500': error,
          },
        },
      },
      '/orders/{orderId}': {
        get: {
          operationId: 'getOrder',
          description: 'One order with its items.',
          parameters: [{ name: 'orderId', in: 'path', required: true, schema: int32 }],
          responses: {
            '200': json('Order', { $ref: '#/components/schemas/Order' }),
            '401': error,
            '404': error,
            '500': error,
          },
        },
      },
    },
    components: {
      securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } },
      responses: { Conflict: error },
      schemas: {
        Order: {
          type: 'object',
          description: 'An order placed from Flow.',
          required: ['orderId', 'items', 'totalPrice', 'status', 'createdAt'],
          properties: {
            orderId: int32,
            items: { type: 'array', items: { $ref: '#/components/schemas/OrderItem' } },
            totalPrice: { type: 'number', format: 'double' },
            status: { type: 'string', enum: ['pending', 'confirmed'] },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
        OrderItem: {
          type: 'object',
          properties: { sku: { type: 'string' }, quantity: int32, unitPrice: { type: 'number', format: 'double' } },
        },
        OrderInput: {
          type: 'object',
          properties: {
            customerEmail: { type: 'string', format: 'email' },
            items: {
              type: 'array',
              items: { type: 'object', properties: { sku: { type: 'string' }, quantity: int32 } },
            },
          },
        },
        ErrorResponse: {
          type: 'object',
          properties: {
            statusCode: int32,
            error: { type: 'string' },
            message: { type: 'string' },
            code: { type: 'string' },
          },
        },
      },
    },
  }
}

const operation = (spec: OpenApiDocument, route: string, method: string) => spec.paths?.[route]?.[method] as Operation
const responsesOf = (spec: OpenApiDocument, route: string, method: string) =>
  operation(spec, route, method).responses as Record<string, unknown>
const schemas = (spec: OpenApiDocument) => spec.components?.schemas as Record<string, Schema>
const propertiesOf = (spec: OpenApiDocument, name: string) => schemas(spec)[name]?.properties as Record<string, Schema>

function specWith(edit: (spec: OpenApiDocument) => void): OpenApiDocument {
  const spec = cleanSpec()
  edit(spec)
  return spec
}

const pointersOf = (spec: OpenApiDocument, rule: string) =>
  lintSpec(spec)
    .filter((failure) => failure.rule === rule)
    .map((failure) => failure.pointer)

interface Case {
  rule: string
  when: string
  edit: (spec: OpenApiDocument) => void
  pointers: string[]
}

const cases: Case[] = [
  {
    rule: 'openapi-version',
    when: 'the document is OpenAPI 3.1',
    edit: (spec) => {
      spec.openapi = '3.1.0'
    },
    pointers: ['/openapi'],
  },
  {
    rule: 'unsupported-method',
    when: 'a HEAD route is exposed',
    edit: (spec) => {
      Object.assign(spec.paths?.['/orders'] ?? {}, { head: { operationId: 'headOrders', responses: { '200': error } } })
    },
    pointers: ['/paths/~1orders/head'],
  },
  {
    rule: 'operation-id-required',
    when: 'an operation has no operationId',
    edit: (spec) => {
      delete operation(spec, '/orders/{orderId}', 'get').operationId
    },
    pointers: ['/paths/~1orders~1{orderId}/get'],
  },
  {
    rule: 'duplicate-operation-id',
    when: 'two operationIds differ only in case',
    edit: (spec) => {
      operation(spec, '/orders', 'post').operationId = 'GetOrders'
    },
    pointers: ['/paths/~1orders/post/operationId'],
  },
  {
    rule: 'apex-safe-name',
    when: 'names are reserved words or not Apex identifiers',
    edit: (spec) => {
      operation(spec, '/orders', 'post').operationId = 'post_order'
      propertiesOf(spec, 'Order').type = { type: 'string' }
      propertiesOf(spec, 'OrderInput').items = {
        type: 'array',
        items: { type: 'object', properties: { 'unit-price': { type: 'number', format: 'double' } } },
      }
      Object.assign(schemas(spec), { 'def-0': { type: 'object', properties: {} } })
      operation(spec, '/orders', 'get').parameters?.push({ name: 'sort', in: 'query', schema: { type: 'string' } })
    },
    pointers: [
      '/paths/~1orders/post/operationId',
      '/paths/~1orders/get/parameters/2/name',
      '/components/schemas/def-0',
      '/components/schemas/Order/properties/type',
      '/components/schemas/OrderInput/properties/items/items/properties/unit-price',
    ],
  },
  {
    rule: 'duplicate-name',
    when: 'two properties differ only in case',
    edit: (spec) => {
      propertiesOf(spec, 'Order').OrderId = int32
    },
    pointers: ['/components/schemas/Order/properties/OrderId'],
  },
  {
    rule: 'no-const',
    when: 'a TypeBox literal leaks through as const',
    edit: (spec) => {
      propertiesOf(spec, 'Order').status = { type: 'string', const: 'pending' }
    },
    pointers: ['/components/schemas/Order/properties/status/const'],
  },
  {
    rule: 'no-null-type',
    when: 'a property may be null through a type array',
    edit: (spec) => {
      propertiesOf(spec, 'Order').createdAt = { type: ['string', 'null'], format: 'date-time' }
    },
    pointers: ['/components/schemas/Order/properties/createdAt/type'],
  },
  {
    rule: 'no-composition',
    when: 'a union of literals becomes anyOf',
    edit: (spec) => {
      propertiesOf(spec, 'Order').status = {
        anyOf: [
          { type: 'string', enum: ['pending'] },
          { type: 'string', enum: ['confirmed'] },
        ],
      }
    },
    pointers: ['/components/schemas/Order/properties/status/anyOf'],
  },
  {
    rule: 'no-nested-arrays',
    when: 'an array holds a named array schema',
    edit: (spec) => {
      schemas(spec).SkuList = { type: 'array', items: { type: 'string' } }
      propertiesOf(spec, 'Order').skuBatches = { type: 'array', items: { $ref: '#/components/schemas/SkuList' } }
    },
    pointers: ['/components/schemas/Order/properties/skuBatches/items'],
  },
  {
    rule: 'no-open-map',
    when: 'Type.Record makes a map',
    edit: (spec) => {
      propertiesOf(spec, 'Order').attributes = { type: 'object', additionalProperties: { type: 'string' } }
      propertiesOf(spec, 'OrderItem').tags = { type: 'object', patternProperties: { '^.*$': { type: 'string' } } }
    },
    pointers: [
      '/components/schemas/Order/properties/attributes/additionalProperties',
      '/components/schemas/OrderItem/properties/tags/patternProperties',
    ],
  },
  {
    rule: 'no-untyped-schema',
    when: 'Type.Any() leaves a schema without a type',
    edit: (spec) => {
      propertiesOf(spec, 'Order').payload = { description: 'anything' }
    },
    pointers: ['/components/schemas/Order/properties/payload'],
  },
  {
    rule: 'integer-format',
    when: 'an integer has no format',
    edit: (spec) => {
      propertiesOf(spec, 'OrderItem').quantity = { type: 'integer' }
    },
    pointers: ['/components/schemas/OrderItem/properties/quantity'],
  },
  {
    rule: 'number-format',
    when: 'a number has no format',
    edit: (spec) => {
      propertiesOf(spec, 'Order').totalPrice = { type: 'number' }
    },
    pointers: ['/components/schemas/Order/properties/totalPrice'],
  },
  {
    rule: 'json-only',
    when: 'a body or response offers XML or anything',
    edit: (spec) => {
      const post = operation(spec, '/orders', 'post')
      Object.assign((post.requestBody as { content: object }).content, { 'application/xml': { schema: errorRef } })
      responsesOf(spec, '/orders/{orderId}', 'get')['200'] = {
        description: 'Order',
        content: { '*/*': { schema: errorRef } },
      }
    },
    pointers: [
      '/paths/~1orders/post/requestBody/content/application~1xml',
      '/paths/~1orders~1{orderId}/get/responses/200/content/*~1*',
    ],
  },
  {
    rule: 'no-get-body',
    when: 'a GET has a request body',
    edit: (spec) => {
      operation(spec, '/orders/{orderId}', 'get').requestBody = {
        content: { 'application/json': { schema: errorRef } },
      }
    },
    pointers: ['/paths/~1orders~1{orderId}/get/requestBody'],
  },
  {
    rule: 'responses-2xx',
    when: 'the only success is 204 No Content',
    edit: (spec) => {
      const responses = responsesOf(spec, '/orders/{orderId}', 'get')
      delete responses['200']
      responses['204'] = { description: 'Done' }
    },
    pointers: ['/paths/~1orders~1{orderId}/get/responses'],
  },
  {
    rule: 'responses-4xx',
    when: 'no client error is declared',
    edit: (spec) => {
      const responses = responsesOf(spec, '/orders/{orderId}', 'get')
      delete responses['401']
      delete responses['404']
    },
    pointers: ['/paths/~1orders~1{orderId}/get/responses'],
  },
  {
    rule: 'responses-500',
    when: '500 is missing',
    edit: (spec) => {
      delete responsesOf(spec, '/orders', 'post')['500']
    },
    pointers: ['/paths/~1orders/post/responses'],
  },
  {
    rule: 'responses-401',
    when: 'a secured operation declares no 401',
    edit: (spec) => {
      delete responsesOf(spec, '/orders', 'get')['401']
    },
    pointers: ['/paths/~1orders/get/responses'],
  },
  {
    rule: 'body-error-responses',
    when: 'an operation with a body declares no 413',
    edit: (spec) => {
      delete responsesOf(spec, '/orders', 'post')['413']
    },
    pointers: ['/paths/~1orders/post/responses'],
  },
  {
    rule: 'error-response-schema',
    when: 'an error response has its own shape or no body',
    edit: (spec) => {
      const responses = responsesOf(spec, '/orders/{orderId}', 'get')
      responses['404'] = json('Not found', { type: 'object', properties: { message: { type: 'string' } } })
      responses['500'] = { description: 'Server error' }
    },
    pointers: ['/paths/~1orders~1{orderId}/get/responses/404', '/paths/~1orders~1{orderId}/get/responses/500'],
  },
  {
    rule: 'description-length',
    when: 'a description is longer than 1,333 characters',
    edit: (spec) => {
      const order = schemas(spec).Order as Schema
      order.description = 'x'.repeat(1334)
      propertiesOf(spec, 'OrderItem').sku = { type: 'string', description: 'x'.repeat(1333) }
    },
    pointers: ['/components/schemas/Order/description'],
  },
  {
    rule: 'no-cookie-param',
    when: 'a parameter is a cookie',
    edit: (spec) => {
      operation(spec, '/orders', 'get').parameters?.push({ name: 'session', in: 'cookie', schema: { type: 'string' } })
    },
    pointers: ['/paths/~1orders/get/parameters/2'],
  },
  {
    rule: 'no-authorization-header-param',
    when: 'the Authorization header is declared as a parameter',
    edit: (spec) => {
      operation(spec, '/orders', 'get').parameters?.push({
        name: 'authorization',
        in: 'header',
        schema: { type: 'string' },
      })
    },
    pointers: ['/paths/~1orders/get/parameters/2'],
  },
]

describe('lintSpec', () => {
  it('passes a clean spec that is also valid OpenAPI', async () => {
    const spec = cleanSpec()
    await SwaggerParser.validate(structuredClone(spec) as SwaggerParser['api'])
    expect(lintSpec(spec)).toEqual([])
  })

  it('has a bad spec below for every rule', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(rules.map((r) => r.id)))
  })

  it.each(cases)('$rule fires when $when', ({ rule, edit, pointers }) => {
    const spec = specWith(edit)
    expect(pointersOf(spec, rule).sort()).toEqual([...pointers].sort())
    for (const failure of lintSpec(spec).filter((f) => f.rule === rule)) {
      expect(failure.message).not.toBe('')
      expect(failure.fix).not.toBe('')
    }
  })

  it('accepts OpenAPI 2.0 as the wrong version, pointing at swagger', () => {
    const spec = specWith((s) => {
      delete s.openapi
      s.swagger = '2.0'
    })
    expect(pointersOf(spec, 'openapi-version')).toEqual(['/swagger'])
  })

  it('says in the fix what Flow would show and what to rename to', () => {
    const spec = specWith((s) => {
      propertiesOf(s, 'Order').type = { type: 'string' }
      propertiesOf(s, 'Order').order_id = int32
      Object.assign(schemas(s), { 'def-0': { type: 'object', properties: {} } })
    })
    const byPointer = new Map(lintSpec(spec).map((f) => [f.pointer, f]))
    expect(byPointer.get('/components/schemas/Order/properties/type')?.fix).toContain('"z0type"')
    expect(byPointer.get('/components/schemas/Order/properties/type')?.fix).toContain('"typeValue"')
    expect(byPointer.get('/components/schemas/Order/properties/order_id')?.fix).toContain('"orderx5fid"')
    expect(byPointer.get('/components/schemas/Order/properties/order_id')?.fix).toContain('"orderId"')
    expect(byPointer.get('/components/schemas/def-0')?.fix).toContain('"defx2d0"')
    expect(byPointer.get('/components/schemas/def-0')?.fix).toContain('buildLocalReference')
  })

  it('reports a shared parameter once, at its component', () => {
    const spec = specWith((s) => {
      s.components = {
        ...s.components,
        parameters: { Trace: { name: 'trace-id', in: 'header', schema: { type: 'string' } } },
      }
      operation(s, '/orders', 'get').parameters?.push({ $ref: '#/components/parameters/Trace' })
      operation(s, '/orders/{orderId}', 'get').parameters?.push({ $ref: '#/components/parameters/Trace' })
    })
    expect(pointersOf(spec, 'apex-safe-name')).toEqual(['/components/parameters/Trace/name'])
  })

  it('walks recursive schemas and $ref cycles without looping', () => {
    const spec = specWith((s) => {
      schemas(s).Category = {
        type: 'object',
        properties: {
          name: { type: 'string' },
          children: { type: 'array', items: { $ref: '#/components/schemas/Category' } },
        },
      }
      // Not valid OpenAPI (swagger-parser refuses it), but the lint must still come back.
      schemas(s).Ping = { $ref: '#/components/schemas/Pong' }
      schemas(s).Pong = { $ref: '#/components/schemas/Ping' }
      propertiesOf(s, 'Order').pingPong = { type: 'array', items: { $ref: '#/components/schemas/Ping' } }
    })
    expect(lintSpec(spec)).toEqual([])
  })

  it('does not ask anonymous operations for a 401', () => {
    const spec = specWith((s) => {
      const get = operation(s, '/orders', 'get')
      get.security = []
      delete (get.responses as Record<string, unknown>)['401']
    })
    expect(lintSpec(spec)).toEqual([])
  })
})

describe('apex reserved words', () => {
  it('compares case-insensitively and includes the word External Services renames', () => {
    expect(isApexReservedWord('SObject')).toBe(true)
    expect(isApexReservedWord('Currency')).toBe(true)
    expect(isApexReservedWord('type')).toBe(true)
    expect(isApexReservedWord('order')).toBe(false)
  })

  it('leaves every name the flowcart contract uses alone', () => {
    const names =
      'productId orderId pageSize offset sku name description price currencyCode quantityInStock updatedAt items ' +
      'quantity customerEmail status createdAt orderItemId unitPrice itemTotalPrice totalPrice statusCode error ' +
      'message code database salesforce configured pendingEvents lastPublishedAt lastError salesforceSync recordId id ' +
      'getProducts getProduct postOrder getOrder getOrders getInventory setInventory getHealth'
    expect(names.split(' ').filter(isApexReservedWord)).toEqual([])
  })
})

describe('lint-spec CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowcart-spec-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const run = (spec: OpenApiDocument) => {
    const file = path.join(dir, 'openapi.generated.json')
    writeFileSync(file, JSON.stringify(spec))
    return spawnSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'tools/lint-spec.ts'), file], {
      encoding: 'utf8',
    })
  }

  it('exits 0 with a one-line summary on a clean spec', () => {
    const result = run(cleanSpec())
    expect(result.stdout.trim()).toBe(
      'openapi.generated.json: 3 operations, 0 problems for Salesforce External Services',
    )
    expect(result.status).toBe(0)
  })

  it('prints pointer, rule and fix for each problem and exits 1', () => {
    const result = run(
      specWith((s) => {
        propertiesOf(s, 'Order').type = { type: ['string', 'null'] }
      }),
    )
    expect(result.stdout).toContain('(document)  [valid-openapi]')
    expect(result.stdout).toContain('/components/schemas/Order/properties/type  [apex-safe-name]  property "type"')
    expect(result.stdout).toContain('/components/schemas/Order/properties/type/type  [no-null-type]')
    expect(result.stdout).toMatch(/\n {4}fix: /)
    expect(result.stdout).toMatch(
      /openapi\.generated\.json: 3 operations, 3 problems for Salesforce External Services\n$/,
    )
    expect(result.status).toBe(1)
  })
})

const generated = path.join(root, 'openapi.generated.json')

it('finds nothing to fix in the generated openapi.generated.json', async () => {
  const spec = JSON.parse(readFileSync(generated, 'utf8')) as OpenApiDocument
  await SwaggerParser.validate(structuredClone(spec) as SwaggerParser['api'])
  expect(lintSpec(spec)).toEqual([])
})
