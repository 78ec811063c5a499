// A body is UTF-8 JSON sent as is; anything else is refused before it can be misread.
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp } from './helper.js'

const order = JSON.stringify({ items: [{ productId: 1, quantity: 1 }], customerEmail: 'ada@example.com' })

describe('request body encodings', () => {
  it('refuses any content coding but identity with 415, whether or not the body really is compressed', async () => {
    const app = await buildTestApp()
    const cases: Array<[string, string | Buffer]> = [
      ['gzip', order],
      ['gzip', gzipSync(order)],
      ['deflate', order],
      ['br', order],
      ['gzip, identity', order],
      ['x-unknown', order],
    ]
    for (const [encoding, payload] of cases) {
      const response = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { ...authHeaders, 'content-type': 'application/json', 'content-encoding': encoding },
        payload,
      })
      expect([encoding, response.statusCode, response.json().code]).toEqual([encoding, 415, 'UNSUPPORTED_MEDIA_TYPE'])
    }
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
    const identity = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...authHeaders, 'content-type': 'application/json', 'content-encoding': 'identity' },
      payload: order,
    })
    expect(identity.statusCode).toBe(201)
  })

  it('refuses a charset other than UTF-8 with 415, and bytes that are not UTF-8 with 400', async () => {
    const app = await buildTestApp()
    const put = (contentType: string, payload: string | Buffer) =>
      app.inject({
        method: 'PUT',
        url: '/inventory/2',
        headers: { ...authHeaders, 'content-type': contentType },
        payload,
      })
    for (const charset of ['utf-16', 'UTF-16LE', 'ebcdic', 'EBCDIC-US', 'iso-8859-1', '"windows-1252"']) {
      const response = await put(
        `application/json; charset=${charset}`,
        Buffer.from('{"quantityInStock":5}', 'utf16le'),
      )
      expect([charset, response.statusCode, response.json().code]).toEqual([charset, 415, 'UNSUPPORTED_MEDIA_TYPE'])
    }
    const utf16WithoutCharset = await put('application/json', Buffer.from('{"quantityInStock":5}', 'utf16le'))
    expect(utf16WithoutCharset.statusCode).toBe(400)
    const invalidBytes = await put(
      'application/json',
      Buffer.concat([Buffer.from('{"quantityInStock":5,"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    )
    expect(invalidBytes.json()).toMatchObject({ statusCode: 400, code: 'MALFORMED_JSON' })
    expect((await app.inject({ url: '/products/2', headers: authHeaders })).json().quantityInStock).toBe(35)

    for (const contentType of [
      'application/json; charset=utf-8',
      'application/json; charset="UTF-8"',
      'application/json;charset=utf8',
    ]) {
      expect([contentType, (await put(contentType, '{"quantityInStock":6}')).statusCode]).toEqual([contentType, 200])
    }
    // A byte order mark is ignored, as RFC 8259 §8.1 allows.
    const withBom = await put(
      'application/json',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"quantityInStock":7}')]),
    )
    expect(withBom.json().quantityInStock).toBe(7)
  })
})
