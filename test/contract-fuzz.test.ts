// Every operation of the contract, attacked with generated invalid input: the answer is always a 4xx ErrorResponse,
// never a 5xx, and afterwards the stored data still adds up. Inputs are derived from openapi.generated.json itself,
// so a new operation or field is attacked too.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { authHeaders, basicAuth, buildTestApp, engines } from './helper.js'

interface Schema {
  type?: string
  $ref?: string
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  required?: string[]
  properties?: Record<string, Schema>
  items?: Schema
}
interface Operation {
  method: string
  path: string
  parameters: Array<{ in: 'path' | 'query' | 'header'; name: string; schema: Schema }>
  body: Schema | undefined
}

const contract = JSON.parse(readFileSync(new URL('../openapi.generated.json', import.meta.url), 'utf8'))
const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(contract.components.schemas[schema.$ref.split('/').pop() as string]) : schema
const operations: Operation[] = Object.entries(contract.paths).flatMap(([path, methods]) =>
  Object.entries(methods as Record<string, Record<string, unknown>>).map(([method, operation]) => ({
    method: method.toUpperCase(),
    path,
    parameters: (operation.parameters ?? []) as Operation['parameters'],
    body: (operation.requestBody as { content: Record<string, { schema: Schema }> } | undefined)?.content[
      'application/json'
    ]?.schema,
  })),
)
/** Every code the contract promises (ErrorResponse.code's description lists them). */
const knownCodes = new Set(
  (contract.components.schemas.ErrorResponse.properties.code.description as string)
    .split(':')[1]
    ?.split(/[,.]/)
    .map((code) => code.trim())
    .filter(Boolean),
)

const INT32_MAX = 2 ** 31 - 1
/** Written into the JSON text as is: numbers JSON.parse reads as ±Infinity. */
const RAW = { positiveOverflow: '__raw:1e309', negativeOverflow: '__raw:-1e309' }
const toJsonText = (value: unknown) => JSON.stringify(value).replace(/"__raw:([^"]*)"/g, (_match, raw: string) => raw)

const notANumber = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant({}),
)

function validValue(raw: Schema): fc.Arbitrary<unknown> {
  const schema = resolve(raw)
  switch (schema.type) {
    case 'integer': {
      const min = schema.minimum ?? 0
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 20, min + 20) })
    }
    case 'string':
      return schema.format === 'email' ? fc.constant('ada@example.com') : fc.string({ minLength: 1, maxLength: 20 })
    case 'array':
      return fc.array(validValue(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: 3 })
    case 'object':
      return fc.record(
        Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, child]) => [name, validValue(child)])),
        { requiredKeys: schema.required ?? [] },
      )
    default:
      return fc.constant(null)
  }
}

/** Values the schema refuses: a wrong type, a number out of range or not whole, a broken part of an object. */
function invalidValue(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw)
  switch (schema.type) {
    case 'integer':
      return fc.oneof(
        notANumber,
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isInteger(value)),
        fc.integer({ min: -INT32_MAX, max: (schema.minimum ?? -INT32_MAX) - 1 }),
        fc.integer({ min: Math.min(schema.maximum ?? INT32_MAX, INT32_MAX) + 1, max: 2 ** 53 }),
        fc.constantFrom(RAW.positiveOverflow, RAW.negativeOverflow, 'Infinity', '7', '0x10'),
      )
    case 'string':
      return fc.oneof(
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([])),
        fc.string({ minLength: (schema.maxLength ?? 1000) + 1, maxLength: (schema.maxLength ?? 1000) + 20 }),
        ...(schema.format === 'email' ? [fc.string({ maxLength: 30 }).filter((text) => !text.includes('@'))] : []),
      )
    case 'array': {
      const item = schema.items ?? {}
      return fc.oneof(
        notANumber.filter((value) => !Array.isArray(value)),
        ...(schema.minItems ? [fc.constant([])] : []),
        ...(schema.maxItems
          ? [validValue(item).map((one) => Array(schema.maxItems ? schema.maxItems + 1 : 0).fill(one))]
          : []),
        ...(depth < 3
          ? [
              fc
                .tuple(invalidValue(item, depth + 1), validValue(schema))
                .map(([bad, good]) => [bad, ...(good as unknown[])]),
            ]
          : []),
      )
    }
    case 'object': {
      const names = Object.keys(schema.properties ?? {})
      const valid = validValue(schema) as fc.Arbitrary<Record<string, unknown>>
      return fc.oneof(
        fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })),
        ...(schema.required?.length
          ? [fc.tuple(valid, fc.constantFrom(...schema.required)).map(([body, name]) => omit(body, name))]
          : []),
        fc
          .tuple(
            valid,
            fc.string({ minLength: 1, maxLength: 10 }).filter((name) => !names.includes(name)),
          )
          .map(([body, extra]) => ({ ...body, [extra]: 1 })),
        ...(depth < 3 && names.length > 0
          ? [
              fc.constantFrom(...names).chain((name) =>
                fc.tuple(valid, invalidValue(schema.properties?.[name] ?? {}, depth + 1)).map(([body, bad]) => ({
                  ...body,
                  [name]: bad,
                })),
              ),
            ]
          : []),
      )
    }
    default:
      return notANumber
  }
}

function omit(body: Record<string, unknown>, name: string) {
  const { [name]: _left, ...rest } = body
  return rest
}

/** A path or query value the integer schema refuses, as the text of the URL. */
const invalidParameterText = (schema: Schema) =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !/^[0-9]+$/.test(text)),
    fc.constantFrom('Infinity', '-Infinity', 'NaN', '0x10', '0o7', '1e3', '5.', '+5', ' 7', '-0', '1_0', '\u0661'),
    fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n }).map(String),
    ...(schema.minimum !== undefined && schema.minimum > 0 ? [fc.constant(String(schema.minimum - 1))] : []),
    ...(schema.maximum !== undefined ? [fc.integer({ min: schema.maximum + 1, max: INT32_MAX }).map(String)] : []),
  )

interface Attack {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string
  description: string
}

function baseRequest(operation: Operation, pathValues: Record<string, string>, body: unknown): Attack {
  const url = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => pathValues[name] ?? '1')
  return {
    method: operation.method,
    url,
    headers: { ...authHeaders, ...(operation.body ? { 'content-type': 'application/json' } : {}) },
    ...(operation.body ? { payload: toJsonText(body) } : {}),
    description: `${operation.method} ${operation.path}`,
  }
}

/** One operation, sent with exactly one thing wrong. */
function attacks(operation: Operation): fc.Arbitrary<Attack> {
  const pathNames = operation.parameters.filter((parameter) => parameter.in === 'path').map((p) => p.name)
  const base = fc
    .tuple(
      fc.record(Object.fromEntries(pathNames.map((name) => [name, fc.integer({ min: 1, max: 20 }).map(String)]))),
      operation.body ? validValue(operation.body) : fc.constant(undefined),
    )
    .map(([pathValues, body]) => baseRequest(operation, pathValues as Record<string, string>, body))
  const mutations: Array<fc.Arbitrary<Attack>> = []
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') {
      mutations.push(
        fc.tuple(base, invalidParameterText(parameter.schema)).map(([request, text]) => ({
          ...request,
          url: operation.path.replace(`{${parameter.name}}`, encodeURIComponent(text)).replace(/\{\w+\}/g, '1'),
          description: `${request.description}: path ${parameter.name}=${JSON.stringify(text)}`,
        })),
      )
    } else if (parameter.in === 'query') {
      mutations.push(
        fc.tuple(base, invalidParameterText(parameter.schema)).map(([request, text]) => ({
          ...request,
          url: `${request.url}?${parameter.name}=${encodeURIComponent(text)}`,
          description: `${request.description}: query ${parameter.name}=${JSON.stringify(text)}`,
        })),
      )
    } else {
      mutations.push(
        fc
          .tuple(base, fc.oneof(fc.constant(''), fc.string({ minLength: 256, maxLength: 300, unit: 'grapheme-ascii' })))
          .map(([request, value]) => ({
            ...request,
            headers: { ...request.headers, [parameter.name.toLowerCase()]: value },
            description: `${request.description}: header ${parameter.name} of ${value.length} characters`,
          })),
      )
    }
  }
  if (operation.body) {
    mutations.push(
      fc.tuple(base, invalidValue(operation.body)).map(([request, body]) => ({
        ...request,
        payload: toJsonText(body),
        description: `${request.description}: body ${toJsonText(body).slice(0, 200)}`,
      })),
      fc.tuple(base, fc.string({ maxLength: 20 })).map(([request, tail]) => ({
        ...request,
        payload: `{"${tail}`,
        description: `${request.description}: body that is not JSON`,
      })),
      fc
        .tuple(
          base,
          fc.constantFrom('text/plain', 'application/xml', 'application/json; charset=utf-16', 'multipart/form-data'),
        )
        .map(([request, contentType]) => ({
          ...request,
          headers: { ...request.headers, 'content-type': contentType },
          description: `${request.description}: content-type ${contentType}`,
        })),
      fc.tuple(base, fc.constantFrom('gzip', 'br', 'deflate')).map(([request, encoding]) => ({
        ...request,
        headers: { ...request.headers, 'content-encoding': encoding },
        description: `${request.description}: content-encoding ${encoding}`,
      })),
    )
  }
  // A stranger's password under another user name: refused, and counted apart from the real user's logins.
  mutations.push(
    fc.tuple(base, fc.string({ maxLength: 20 })).map(([request, password]) => ({
      ...request,
      headers: { ...request.headers, authorization: basicAuth('intruder', password) },
      description: `${request.description}: wrong credentials`,
    })),
  )
  return fc.oneof(...mutations)
}

type Step =
  | { kind: 'attack'; attack: Attack }
  | { kind: 'order'; items: Array<{ productId: number; quantity: number }> }

const steps: fc.Arbitrary<Step> = fc.oneof(
  { weight: 9, arbitrary: fc.oneof(...operations.map(attacks)).map((attack) => ({ kind: 'attack' as const, attack })) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.record({ productId: fc.integer({ min: 1, max: 12 }), quantity: fc.integer({ min: 1, max: 4 }) }), {
        minLength: 1,
        maxLength: 3,
      })
      .map((items) => ({ kind: 'order' as const, items })),
  },
)

async function storedState(app: FastifyInstance) {
  const stock = (await app.inject({ url: '/inventory', headers: authHeaders })).json() as Array<{
    productId: number
    quantityInStock: number
  }>
  const orders: Array<{
    totalPrice: number
    items: Array<{ productId: number; quantity: number; itemTotalPrice: number }>
  }> = []
  for (let offset = 0; ; offset += 200) {
    const page = (await app.inject({ url: `/orders?pageSize=200&offset=${offset}`, headers: authHeaders })).json()
    orders.push(...page)
    if (page.length < 200) return { stock, orders }
  }
}

describe.each(engines)('the whole contract under generated invalid input on %s', (engine) => {
  it('answers every invalid request with a 4xx ErrorResponse, and the stored data still adds up', async () => {
    const app = await buildTestApp(engine)
    const initial = await storedState(app)

    await fc.assert(
      fc.asyncProperty(steps, async (step) => {
        if (step.kind === 'order') {
          const placed = await app.inject({
            method: 'POST',
            url: '/orders',
            headers: authHeaders,
            payload: { items: step.items },
          })
          expect([201, 409]).toContain(placed.statusCode)
          return
        }
        const { description, ...request } = step.attack
        const response = await app.inject(request as InjectOptions)
        expect(response.statusCode, description).toBeGreaterThanOrEqual(400)
        expect(response.statusCode, description).toBeLessThan(500)
        const body = response.json()
        expect(body, description).toEqual({
          statusCode: response.statusCode,
          error: expect.any(String),
          message: expect.any(String),
          code: expect.any(String),
        })
        expect(knownCodes.has(body.code), `${description}: code ${body.code}`).toBe(true)
      }),
      { numRuns: 2000, seed: 20_261_201 },
    )

    const { stock, orders } = await storedState(app)
    const sold = new Map<number, number>()
    for (const order of orders) {
      const lines = order.items.reduce((sum, item) => sum + Math.round(item.itemTotalPrice * 100), 0)
      expect(Math.round(order.totalPrice * 100)).toBe(lines)
      for (const item of order.items) sold.set(item.productId, (sold.get(item.productId) ?? 0) + item.quantity)
    }
    for (const { productId, quantityInStock } of stock) {
      expect(Number.isInteger(quantityInStock) && quantityInStock >= 0).toBe(true)
      const before = initial.stock.find((item) => item.productId === productId)?.quantityInStock ?? 0
      expect(before - quantityInStock).toBe(sold.get(productId) ?? 0)
    }
    expect(orders.length).toBeGreaterThan(0)
  }, 120_000)
})
