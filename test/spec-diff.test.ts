// The spec diff tells a reviewer which contract changes break a registered External Service and which are safe.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diffSpecs, renderMarkdown, type SpecChange } from '../tools/spec/diff/index.js'

// biome-ignore lint/suspicious/noExplicitAny: each test edits a different corner of the spec
type Spec = Record<string, any>

const json = (schema: unknown) => ({ 'application/json': { schema } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

function baseSpec(): Spec {
  return {
    openapi: '3.0.3',
    info: { title: 'flowcart', version: '1.0.0' },
    servers: [{ url: '/' }],
    paths: {
      '/products': {
        get: {
          operationId: 'listProducts',
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', format: 'int32' } },
            { name: 'category', in: 'query', required: false, schema: { type: 'string', enum: ['food', 'toys'] } },
          ],
          responses: {
            '200': { description: 'Products', content: json({ type: 'array', items: ref('Product') }) },
          },
        },
        post: {
          operationId: 'createProduct',
          requestBody: { required: true, content: json(ref('Product')) },
          responses: {
            '201': { description: 'Created', content: json(ref('Product')) },
            '400': { description: 'Invalid', content: json(ref('ErrorResponse')) },
          },
        },
      },
      '/orders': {
        post: {
          operationId: 'placeOrder',
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['lines'],
              properties: {
                note: { type: 'string', maxLength: 200 },
                lines: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['sku', 'quantity'],
                    properties: { sku: { type: 'string' }, quantity: { type: 'integer', format: 'int32' } },
                  },
                },
              },
            }),
          },
          responses: { '201': { description: 'Placed', content: json(ref('Order')) } },
        },
      },
      '/orders/{orderId}': {
        get: {
          operationId: 'getOrder',
          parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'Order', content: json(ref('Order')) } },
        },
      },
    },
    components: {
      schemas: {
        Product: {
          type: 'object',
          required: ['id', 'name', 'price'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string', maxLength: 80 },
            price: { type: 'number', format: 'double' },
            stock: { type: 'integer', format: 'int32' },
          },
        },
        Order: {
          type: 'object',
          required: ['id', 'status', 'lines'],
          properties: {
            id: { type: 'string' },
            status: { type: 'string', enum: ['open', 'paid'] },
            total: { type: 'number', format: 'double' },
            lines: { type: 'array', items: ref('OrderLine') },
          },
        },
        OrderLine: {
          type: 'object',
          required: ['sku', 'quantity'],
          properties: { sku: { type: 'string' }, quantity: { type: 'integer', format: 'int32' } },
        },
        ErrorResponse: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  }
}

function diffAfter(edit: (spec: Spec) => void): SpecChange[] {
  const after = baseSpec()
  edit(after)
  return diffSpecs(baseSpec(), after)
}

/** The one change whose summary contains the text. */
function only(changes: SpecChange[], text: string): SpecChange {
  const found = changes.filter((change) => change.summary.includes(text))
  expect(found, `one change mentioning "${text}" in ${JSON.stringify(changes, null, 2)}`).toHaveLength(1)
  return found[0] as SpecChange
}

const products = (spec: Spec) => spec.paths['/products']
const orderBody = (spec: Spec) => spec.paths['/orders'].post.requestBody.content['application/json'].schema

describe('diffSpecs', () => {
  it('finds nothing when only key order differs', () => {
    const after = baseSpec()
    after.components.schemas.Product = Object.fromEntries(Object.entries(after.components.schemas.Product).reverse())
    expect(diffSpecs(baseSpec(), after)).toEqual([])
  })

  describe('operations, matched by operationId', () => {
    it('calls a new operation safe', () => {
      const changes = diffAfter((spec) => {
        spec.paths['/stock'] = { get: { operationId: 'getStock', responses: { '200': { description: 'ok' } } } }
      })
      expect(changes).toEqual([
        {
          kind: 'safe',
          area: 'operation',
          pointer: '/paths/~1stock/get',
          operationIds: ['getStock'],
          summary: 'operation added (`GET /stock`)',
        },
      ])
    })

    it('calls a removed operation breaking', () => {
      const change = only(
        diffAfter((spec) => delete spec.paths['/orders/{orderId}']),
        'operation removed',
      )
      expect(change).toMatchObject({ kind: 'breaking', area: 'operation', operationIds: ['getOrder'] })
      expect(change.pointer).toBe('/paths/~1orders~1{orderId}/get')
    })

    it('reports a renamed operationId once, as breaking, naming both actions', () => {
      const changes = diffAfter((spec) => {
        products(spec).get.operationId = 'getProducts'
      })
      expect(changes).toHaveLength(1)
      expect(changes[0]).toMatchObject({
        kind: 'breaking',
        area: 'operation',
        pointer: '/paths/~1products/get/operationId',
        operationIds: ['listProducts', 'getProducts'],
      })
      expect(changes[0]?.summary).toContain('renamed from `listProducts` to `getProducts`')
    })

    it('calls a new path or method under the same operationId breaking', () => {
      const moved = diffAfter((spec) => {
        spec.paths['/purchases/{orderId}'] = spec.paths['/orders/{orderId}']
        delete spec.paths['/orders/{orderId}']
      })
      expect(moved).toHaveLength(1)
      expect(moved[0]).toMatchObject({ kind: 'breaking', area: 'operation', operationIds: ['getOrder'] })
      expect(moved[0]?.summary).toBe('operation moved from `GET /orders/{orderId}` to `GET /purchases/{orderId}`')

      const method = only(
        diffAfter((spec) => {
          spec.paths['/orders'].put = spec.paths['/orders'].post
          delete spec.paths['/orders'].post
        }),
        'moved',
      )
      expect(method).toMatchObject({ kind: 'breaking', pointer: '/paths/~1orders/put' })
    })

    it('does not call a renamed path variable a move, but reports the renamed input', () => {
      const changes = diffAfter((spec) => {
        const op = spec.paths['/orders/{orderId}']
        op.get.parameters[0].name = 'id'
        spec.paths['/orders/{id}'] = op
        delete spec.paths['/orders/{orderId}']
      })
      expect(changes.some((change) => change.summary.startsWith('operation moved'))).toBe(false)
      expect(only(changes, 'parameter `orderId` (path) removed').kind).toBe('breaking')
      expect(only(changes, 'required parameter `id` (path) added').kind).toBe('breaking')
    })
  })

  describe('parameters', () => {
    it('calls a new optional parameter safe and a new required one breaking', () => {
      const changes = diffAfter((spec) => {
        products(spec).get.parameters.push(
          { name: 'search', in: 'query', schema: { type: 'string' } },
          { name: 'channel', in: 'header', required: true, schema: { type: 'string' } },
        )
      })
      expect(only(changes, '`search`')).toMatchObject({
        kind: 'safe',
        area: 'parameter',
        operationIds: ['listProducts'],
        pointer: '/paths/~1products/get/parameters/2',
      })
      expect(only(changes, '`channel`')).toMatchObject({ kind: 'breaking', area: 'parameter' })
    })

    it('calls an optional parameter becoming required breaking, and the reverse safe', () => {
      const required = diffAfter((spec) => {
        products(spec).get.parameters[0].required = true
      })
      expect(only(required, 'became required')).toMatchObject({ kind: 'breaking', area: 'parameter' })
      const optional = diffAfter((spec) => {
        spec.paths['/orders/{orderId}'].get.parameters[0].required = false
      })
      expect(only(optional, 'became optional').kind).toBe('safe')
    })

    it('calls a removed or relocated parameter breaking', () => {
      expect(
        only(
          diffAfter((spec) => products(spec).get.parameters.shift()),
          'parameter `limit` (query) removed',
        ).kind,
      ).toBe('breaking')
      expect(
        only(
          diffAfter((spec) => {
            products(spec).get.parameters[0].in = 'header'
          }),
          'moved from query to header',
        ).kind,
      ).toBe('breaking')
    })

    it('calls a type or format change breaking', () => {
      const type = only(
        diffAfter((spec) => {
          products(spec).get.parameters[0].schema = { type: 'string' }
        }),
        'type changed',
      )
      expect(type).toMatchObject({ kind: 'breaking', area: 'parameter' })
      expect(type.summary).toBe('`limit`: type changed from integer to string')
      const format = only(
        diffAfter((spec) => {
          products(spec).get.parameters[0].schema.format = 'int64'
        }),
        'format changed',
      )
      expect(format).toMatchObject({
        kind: 'breaking',
        pointer: '/paths/~1products/get/parameters/0/schema/format',
      })
    })

    it('calls a removed input enum value breaking and an added one safe', () => {
      const removed = diffAfter((spec) => {
        products(spec).get.parameters[1].schema.enum = ['food']
      })
      expect(only(removed, 'enum value `"toys"` removed').kind).toBe('breaking')
      const added = diffAfter((spec) => {
        products(spec).get.parameters[1].schema.enum.push('books')
      })
      const change = only(added, 'enum value `"books"` added')
      expect(change.kind).toBe('safe')
      expect(change.summary).not.toContain('Flow decisions')
    })
  })

  describe('request body', () => {
    it('calls a new optional property safe and a new required property breaking', () => {
      const changes = diffAfter((spec) => {
        orderBody(spec).properties.coupon = { type: 'string' }
        orderBody(spec).properties.channel = { type: 'string' }
        orderBody(spec).required.push('channel')
      })
      expect(only(changes, '`body.coupon`: optional property added')).toMatchObject({
        kind: 'safe',
        area: 'request',
        operationIds: ['placeOrder'],
      })
      expect(only(changes, '`body.channel`: required property added')).toMatchObject({
        kind: 'breaking',
        area: 'request',
        pointer: '/paths/~1orders/post/requestBody/content/application~1json/schema/properties/channel',
      })
    })

    it('follows array items', () => {
      const changes = diffAfter((spec) => {
        orderBody(spec).properties.lines.items.properties.sku = { type: 'integer', format: 'int64' }
      })
      expect(only(changes, '`body.lines[].sku`: type changed from string to integer')).toMatchObject({
        kind: 'breaking',
        area: 'request',
        pointer:
          '/paths/~1orders/post/requestBody/content/application~1json/schema/properties/lines/items/properties/sku',
      })
    })

    it('calls a stricter input limit breaking', () => {
      const change = only(
        diffAfter((spec) => {
          orderBody(spec).properties.note.maxLength = 100
        }),
        '`maxLength`',
      )
      expect(change).toMatchObject({ kind: 'breaking', area: 'request' })
      expect(change.summary).toContain('stricter')
    })

    it('calls a body that became required or disappeared breaking', () => {
      expect(
        only(
          diffAfter((spec) => {
            products(spec).post.requestBody.required = false
          }),
          'request body became optional',
        ).kind,
      ).toBe('safe')
      expect(
        only(
          diffAfter((spec) => delete spec.paths['/orders'].post.requestBody),
          'request body removed',
        ).kind,
      ).toBe('breaking')
    })
  })

  describe('responses', () => {
    it('calls a new response property safe, even a required one, and a removed one breaking', () => {
      const changes = diffAfter((spec) => {
        const order = spec.components.schemas.Order
        order.properties.placedAt = { type: 'string', format: 'date-time' }
        order.required.push('placedAt')
        delete order.properties.total
      })
      expect(only(changes, '`Order.placedAt`: required property added')).toMatchObject({
        kind: 'safe',
        area: 'schema',
        operationIds: ['getOrder', 'placeOrder'],
      })
      expect(only(changes, '`Order.total`: property removed')).toMatchObject({
        kind: 'breaking',
        pointer: '/components/schemas/Order/properties/total',
        operationIds: ['getOrder', 'placeOrder'],
      })
    })

    it('calls an added output enum value safe, with a note for Flow decisions', () => {
      const change = only(
        diffAfter((spec) => {
          spec.components.schemas.Order.properties.status.enum.push('shipped')
        }),
        'enum value `"shipped"` added',
      )
      expect(change.kind).toBe('safe')
      expect(change.summary).toContain('Flow decisions')
    })

    it('calls a removed output enum value breaking', () => {
      expect(
        only(
          diffAfter((spec) => {
            spec.components.schemas.Order.properties.status.enum = ['open']
          }),
          'enum value `"paid"` removed',
        ).kind,
      ).toBe('breaking')
    })

    it('calls an output property turning optional safe, noting the empty value', () => {
      const change = only(
        diffAfter((spec) => {
          spec.components.schemas.Order.required = ['id', 'lines']
        }),
        '`Order.status`: became optional',
      )
      expect(change.kind).toBe('safe')
      expect(change.summary).toContain('empty value')
    })

    it('calls a removed status code breaking and a new one safe', () => {
      expect(
        only(
          diffAfter((spec) => delete products(spec).post.responses['400']),
          'response `400` removed',
        ),
      ).toMatchObject({ kind: 'breaking', area: 'response', operationIds: ['createProduct'] })
      expect(
        only(
          diffAfter((spec) => {
            products(spec).post.responses['409'] = { description: 'Conflict', content: json(ref('ErrorResponse')) }
          }),
          'response `409` added',
        ).kind,
      ).toBe('safe')
    })

    it('calls a stricter output limit safe', () => {
      const change = only(
        diffAfter((spec) => {
          spec.components.schemas.ErrorResponse.properties.message.maxLength = 500
        }),
        '`maxLength`',
      )
      expect(change).toMatchObject({ kind: 'safe', area: 'schema', operationIds: ['createProduct'] })
    })

    it('calls an output that swaps a named component for an inline schema breaking', () => {
      const change = only(
        diffAfter((spec) => {
          spec.paths['/orders/{orderId}'].get.responses['200'].content = json({
            type: 'object',
            properties: { id: { type: 'string' } },
          })
        }),
        '`200`: type changed from `Order` to an inline schema',
      )
      expect(change).toMatchObject({ kind: 'breaking', area: 'response', operationIds: ['getOrder'] })
    })
  })

  describe('shared components', () => {
    it('reports a change once, with every operation using it, breaking where it is an input', () => {
      const changes = diffAfter((spec) => {
        spec.components.schemas.Product.properties.sku = { type: 'string' }
        spec.components.schemas.Product.required.push('sku')
      })
      expect(changes).toHaveLength(1)
      const change = changes[0] as SpecChange
      expect(change).toMatchObject({
        kind: 'breaking',
        area: 'schema',
        pointer: '/components/schemas/Product/properties/sku',
        operationIds: ['createProduct', 'listProducts'],
      })
      expect(change.summary).toBe(
        '`Product.sku`: required property added — breaking as input of `createProduct`; ' +
          'safe as output of `createProduct`, `listProducts`',
      )
    })

    it('calls an optional property in a shared component safe on both sides', () => {
      const changes = diffAfter((spec) => {
        spec.components.schemas.Product.properties.sku = { type: 'string' }
      })
      expect(changes).toEqual([
        {
          kind: 'safe',
          area: 'schema',
          pointer: '/components/schemas/Product/properties/sku',
          operationIds: ['createProduct', 'listProducts'],
          summary: '`Product.sku`: optional property added',
        },
      ])
    })

    it('attributes a change in a nested component to the operations that reach it', () => {
      const changes = diffAfter((spec) => {
        spec.components.schemas.OrderLine.properties.quantity.format = 'int64'
      })
      expect(changes).toHaveLength(1)
      expect(changes[0]).toMatchObject({
        kind: 'breaking',
        area: 'schema',
        pointer: '/components/schemas/OrderLine/properties/quantity/format',
        operationIds: ['getOrder', 'placeOrder'],
      })
    })

    it('calls a renamed component breaking: it is the Apex type Flow variables are declared with', () => {
      const changes = diffAfter((spec) => {
        spec.components.schemas.Line = spec.components.schemas.OrderLine
        delete spec.components.schemas.OrderLine
        spec.components.schemas.Order.properties.lines.items = ref('Line')
      })
      expect(only(changes, '`Order.lines[]`: type changed from `OrderLine` to `Line`').kind).toBe('breaking')
      expect(only(changes, 'component `OrderLine` removed')).toMatchObject({
        kind: 'breaking',
        operationIds: ['getOrder', 'placeOrder'],
      })
      expect(only(changes, 'component `Line` added').kind).toBe('safe')
    })
  })

  it('reads a union of literals as an enum', () => {
    const union = (...values: string[]) => ({ anyOf: values.map((value) => ({ type: 'string', enum: [value] })) })
    const before = baseSpec()
    before.components.schemas.Order.properties.status = union('open', 'paid', 'shipped')
    const after = baseSpec()
    after.components.schemas.Order.properties.status = union('open', 'shipped')
    expect(diffSpecs(before, after)).toEqual([
      {
        kind: 'breaking',
        area: 'schema',
        pointer: '/components/schemas/Order/properties/status',
        operationIds: ['getOrder', 'placeOrder'],
        summary: '`Order.status`: enum value `"paid"` removed',
      },
    ])
  })

  it('shows a path-level edit once, naming every operation on the path', () => {
    const changes = diffAfter((spec) => {
      products(spec).description = 'The catalogue'
    })
    expect(changes).toEqual([
      {
        kind: 'safe',
        area: 'operation',
        pointer: '/paths/~1products',
        operationIds: ['createProduct', 'listProducts'],
        summary: 'path `description` changed',
      },
    ])
  })

  it('keeps reporting an operation whose operationId is duplicated', () => {
    const changes = diffAfter((spec) => {
      products(spec).post.operationId = 'listProducts'
      products(spec).post.responses['201'].content = json(ref('Order'))
    })
    expect(only(changes, 'type changed from `Product` to `Order`').operationIds).toEqual([
      'listProducts (POST /products)',
    ])
  })

  it('reports documentation edits as safe so that every change stays visible', () => {
    const changes = diffAfter((spec) => {
      spec.info.version = '1.1.0'
      spec.components.schemas.Product.properties.name.description = 'Shown on the invoice'
    })
    expect(only(changes, '`info` changed').kind).toBe('safe')
    expect(only(changes, '`Product.name`: `description` changed').kind).toBe('safe')
  })

  it('calls a new server base path breaking for every operation', () => {
    const change = only(
      diffAfter((spec) => {
        spec.servers = [{ url: 'https://flowcart.example.com/api' }]
      }),
      'server base path changed',
    )
    expect(change.kind).toBe('breaking')
    expect(change.operationIds).toEqual(['createProduct', 'getOrder', 'listProducts', 'placeOrder'])
  })

  it('treats a spec with no base as wholly new and safe', () => {
    const changes = diffSpecs({}, baseSpec())
    expect(changes.every((change) => change.kind === 'safe')).toBe(true)
    expect(changes.filter((change) => change.summary.startsWith('operation added'))).toHaveLength(4)
    expect(only(changes, 'component `Order` added').operationIds).toEqual(['getOrder', 'placeOrder'])
  })
})

describe('renderMarkdown', () => {
  it('says so in one line when nothing differs', () => {
    expect(renderMarkdown([], { baseRef: 'main' })).toBe(
      '## OpenAPI contract changes since `main`\n\nNo contract changes since `main`.\n',
    )
  })

  it('lists breaking changes before safe ones, in tables a reviewer can scan', () => {
    const changes = diffAfter((spec) => {
      delete spec.paths['/orders/{orderId}']
      products(spec).get.parameters.push({
        name: 'search',
        in: 'query',
        description: 'a | b',
        schema: { type: 'string' },
      })
    })
    const markdown = renderMarkdown(changes, { baseRef: 'v1.2.0' })
    expect(markdown).toBe(
      [
        '## OpenAPI contract changes since `v1.2.0`',
        '',
        '**1 breaking**, 1 safe. Breaking changes need the External Service registration refreshed and the Flows ' +
          'using the listed actions updated in the same release.',
        '',
        '### Breaking',
        '',
        '| Area | Operations | Change | Pointer |',
        '| --- | --- | --- | --- |',
        '| operation | `getOrder` | operation removed (`GET /orders/{orderId}`) | `/paths/~1orders~1{orderId}/get` |',
        '',
        '### Safe',
        '',
        '| Area | Operations | Change | Pointer |',
        '| --- | --- | --- | --- |',
        '| parameter | `listProducts` | optional parameter `search` (query) added | `/paths/~1products/get/parameters/2` |',
        '',
      ].join('\n'),
    )
  })

  it('escapes pipes and notes a spec missing at the base ref', () => {
    const markdown = renderMarkdown(
      [{ kind: 'safe', area: 'schema', pointer: '/info', operationIds: [], summary: 'a | b' }],
      { baseRef: 'main', baseMissing: true },
    )
    expect(markdown).toContain('`openapi.generated.json` does not exist at `main`: the whole current spec is new.')
    expect(markdown).toContain('No breaking changes; 1 safe.')
    expect(markdown).toContain('| schema | — | a \\| b | `/info` |')
  })
})

describe('npm run spec:diff', () => {
  const root = fileURLToPath(new URL('..', import.meta.url))
  let repo: string
  let specPath: string

  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.name=flowcart', '-c', 'user.email=ci@flowcart.invalid', ...args], {
      cwd: repo,
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
  }
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'tools/diff-spec.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    })

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'flowcart-spec-diff-'))
    specPath = join(repo, 'openapi.generated.json')
    git('init', '-q')
    writeFileSync(join(repo, 'README.md'), 'flowcart\n')
    git('add', 'README.md')
    git('commit', '-q', '--no-gpg-sign', '-m', 'start')
    writeFileSync(specPath, JSON.stringify(baseSpec(), null, 2))
    git('add', 'openapi.generated.json')
    git('commit', '-q', '--no-gpg-sign', '-m', 'spec')
  })

  afterAll(() => rmSync(repo, { recursive: true, force: true }))

  it('fails on breaking changes when asked, printing them', () => {
    const spec = baseSpec()
    delete spec.paths['/orders/{orderId}']
    writeFileSync(specPath, JSON.stringify(spec, null, 2))
    const result = run('HEAD', '--fail-on-breaking', '--spec', specPath)
    expect(result.status, result.stderr).toBe(1)
    expect(result.stdout).toContain('## OpenAPI contract changes since `HEAD`')
    expect(result.stdout).toContain('| operation | `getOrder` | operation removed (`GET /orders/{orderId}`) |')

    expect(run('HEAD', '--spec', specPath).status).toBe(0)
  })

  it('prints "No contract changes" and succeeds when the spec is unchanged', () => {
    writeFileSync(specPath, JSON.stringify(baseSpec()))
    const result = run('HEAD', '--fail-on-breaking', '--spec', specPath)
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toContain('No contract changes since `HEAD`.')
  })

  it('treats the spec as new when the ref does not have it', () => {
    const result = run('HEAD~1', '--fail-on-breaking', '--spec', specPath)
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toContain('`openapi.generated.json` does not exist at `HEAD~1`')
    expect(result.stdout).toContain('operation added (`GET /products`)')
  })

  it('exits 2 with one line for a missing or unknown ref', () => {
    const missing = run('--spec', specPath)
    expect(missing.status).toBe(2)
    expect(missing.stderr.trim()).toMatch(/^spec:diff: missing git ref; usage: npm run spec:diff -- <git-ref>/)
    const unknown = run('no-such-ref', '--spec', specPath)
    expect(unknown.status).toBe(2)
    expect(unknown.stderr.trim()).toBe('spec:diff: unknown git ref: no-such-ref')
  })
})
