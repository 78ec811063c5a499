import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateContract, SPEC_PATH } from '../tools/spec/generate.js'
import { REGISTRATION_PATH } from '../tools/spec/registration.js'
import { buildTestApp } from './helper.js'

describe('the committed contract', () => {
  it('is what the route schemas generate (otherwise run `npm run spec`)', async () => {
    for (const file of await generateContract()) {
      expect(readFileSync(file.path, 'utf8'), `${file.path} is stale: run npm run spec`).toBe(file.content)
    }
  })

  it('`npm run spec -- --check` names a stale file and exits 1', () => {
    const root = mkdtempSync(join(tmpdir(), 'flowcart-spec-'))
    cpSync(REGISTRATION_PATH, join(root, REGISTRATION_PATH))
    const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8'))
    spec.components.schemas.Product.properties.sku.description = 'changed by hand'
    writeFileSync(join(root, SPEC_PATH), `${JSON.stringify(spec, null, 2)}\n`)

    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/export-openapi.ts', '--check', '--root', root], {
      encoding: 'utf8',
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('openapi.generated.json: stale')
    expect(run.stderr).toContain('first difference at /components/schemas/Product/properties/sku/description')
    expect(run.stdout).toContain(`${REGISTRATION_PATH}: up to date`)
    expect(readFileSync(join(root, SPEC_PATH), 'utf8')).toContain('changed by hand')
  })

  it('is OpenAPI 3.0.3 with components named after the schemas, basic auth, and info from package.json', () => {
    const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8'))
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
    expect(spec.openapi).toBe('3.0.3')
    expect(spec.info).toMatchObject({ title: 'flowcart', version: pkg.version })
    expect(Object.keys(spec.components.schemas)).toEqual(
      expect.arrayContaining(['ErrorResponse', 'Inventory', 'Order', 'OrderInput', 'Product']),
    )
    expect(JSON.stringify(spec)).not.toMatch(/def-\d/)
    expect(spec.components.securitySchemes.basicAuth).toEqual({ type: 'http', scheme: 'basic' })
    const operationIds = Object.values(spec.paths).flatMap((path) =>
      Object.values(path as Record<string, { operationId: string }>).map((operation) => operation.operationId),
    )
    expect(operationIds.sort()).toEqual([
      'createProduct',
      'getInventory',
      'getOrder',
      'getOrders',
      'getProduct',
      'getProducts',
      'postOrder',
      'setInventory',
      'updateProduct',
    ])
  })
})

describe('the served contract', () => {
  it('is at /openapi.json without credentials, with servers from PUBLIC_URL, and browsable at /docs', async () => {
    const app = await buildTestApp('sqlite', { PUBLIC_URL: 'https://flowcart.example.com' })
    const response = await app.inject({ url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    expect(response.json().servers).toEqual([{ url: 'https://flowcart.example.com' }])
    expect(response.json().paths['/orders'].post.operationId).toBe('postOrder')
    const docs = await app.inject({ url: '/docs/' })
    expect(docs.statusCode).toBe(200)
    expect(docs.headers['content-type']).toContain('text/html')
  })
})
