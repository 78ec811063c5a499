// Requests that never reach a route still get the ErrorResponse with a stable code, and leave no secret in the log.
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import { basicAuth, registerCleanup, testConfig } from './helper.js'
import { captureLines } from './support/log-capture.js'
import { openConnection, sendRaw, statusesIn } from './support/raw-http.js'

async function listeningApp(logLevel = 'silent', env: Record<string, string> = {}) {
  const logs = captureLines()
  const app = await buildApp(testConfig({ DATABASE_URL: 'sqlite::memory:', ...env }), {
    logger: createLogger(logLevel, logs.stream),
  })
  registerCleanup(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: (app.server.address() as AddressInfo).port, logs }
}

const requests: Array<[what: string, request: string, status: number, code: string]> = [
  [
    'a Content-Length that is not a number',
    'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    400,
    'BAD_REQUEST',
  ],
  [
    'two different Content-Lengths',
    'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    400,
    'BAD_REQUEST',
  ],
  [
    'Content-Length with chunked encoding',
    'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    400,
    'BAD_REQUEST',
  ],
  [
    'a control character in a header',
    'GET /products HTTP/1.1\r\nHost: x\r\nX-Note: a\u0001b\r\n\r\n',
    400,
    'BAD_REQUEST',
  ],
  ['a header name with a space', 'GET /products HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'a chunk size that is not hex',
    `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth()}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    400,
    'BAD_REQUEST',
  ],
  ['an unknown method', 'FROB /products HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
  ['an unknown HTTP version', 'GET /products HTTP/7.3\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'headers over 16 KiB',
    `GET /products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    431,
    'HEADERS_TOO_LARGE',
  ],
  ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
  ['a URL that does not decode', 'GET /products/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'a path parameter over 100 characters',
    `GET /products/${'1'.repeat(150)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    414,
    'URI_TOO_LONG',
  ],
  ['a method no route has', 'PROPFIND /products HTTP/1.1\r\nHost: x\r\n\r\n', 404, 'NOT_FOUND'],
  [
    'an expectation other than 100-continue',
    'GET /products HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n',
    417,
    'EXPECTATION_FAILED',
  ],
  [
    'an expectation besides 100-continue',
    'POST /orders HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, x-trace\r\nContent-Length: 2\r\n\r\n{}',
    417,
    'EXPECTATION_FAILED',
  ],
  ['an HTTP/1.1 request without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'BAD_REQUEST'],
  ['two Host headers', 'GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'a Transfer-Encoding whose last coding is not chunked',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n',
    400,
    'BAD_REQUEST',
  ],
  [
    'a transfer coding besides chunked',
    `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth()}\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    400,
    'BAD_REQUEST',
  ],
]

describe('requests refused before routing', () => {
  it.each(requests)('%s: the ErrorResponse', async (_what, request, status, code) => {
    const { port } = await listeningApp()
    const answer = await sendRaw(port, request)
    expect(answer.status).toBe(status)
    expect(answer.headers['content-type']).toContain('application/json')
    const body = JSON.parse(answer.body)
    expect(body).toEqual({ statusCode: status, error: expect.any(String), code, message: expect.any(String) })
    expect(answer.text).not.toMatch(/<html|at \w+ \(|node_modules/i)
  })

  it('never logs the raw request or its credentials, even at trace level', async () => {
    const { port, logs } = await listeningApp('trace')
    const authorization = basicAuth('flowcart', 'a-secret-password-1234')
    for (const request of [
      `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Length: abc\r\n\r\n`,
      `GET /products HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nX-Note: a\u0001b\r\n\r\n`,
      `GET /products/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n\r\n`,
      `GET /products HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`,
    ]) {
      await sendRaw(port, request)
    }
    const written = logs.text()
    expect(written).toContain('request refused before routing')
    expect(written).not.toContain(authorization.slice('Basic '.length))
    expect(written).not.toContain('a-secret-password-1234')
    expect(written).not.toContain('rawPacket')
  })
})

/** A raw connection, closed from this side after the test if the server has not closed it. */
async function connectTo(port: number) {
  const connection = await openConnection(port)
  registerCleanup(async () => connection.close())
  return connection
}

/**
 * Every final status the server sends on one connection, in order, until it closes it; 'open' at the end when it
 * still has not closed it after a generous wait.
 */
async function statusesUntilClosed(port: number, bytes: string) {
  const connection = await connectTo(port)
  connection.write(bytes)
  const closed = await connection.closedWithin(5000)
  const statuses: Array<number | 'open'> = statusesIn(connection.received()).filter((status) => status >= 200)
  return closed ? statuses : [...statuses, 'open']
}

describe('one answer per request', () => {
  const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
  const codings = ['gzip', 'identity', 'chunked;q=1', 'gzip, chunked']
  const targets = ['GET /nope', 'GET /healthz', 'POST /orders', `POST /nope`]
  const following = ['', 'abc', healthz]

  it('refuses a Transfer-Encoding other than chunked with one 400 and closes, whatever follows it', async () => {
    const { port } = await listeningApp()
    const requests = codings.flatMap((coding) =>
      targets.flatMap((target) =>
        following.map((after) => `${target} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${coding}\r\n\r\n${after}`),
      ),
    )
    const seen = await Promise.all(requests.map(async (request) => [request, await statusesUntilClosed(port, request)]))
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(requests.map((request) => [request, [400]])))
  })

  it('answers a request still in progress before refusing the malformed one pipelined after it', async () => {
    const { port } = await listeningApp()
    expect(
      await statusesUntilClosed(port, `${healthz}GET /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n`),
    ).toEqual([200, 400])
    expect(
      await statusesUntilClosed(port, `${healthz}GET /products HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n`),
    ).toEqual([200, 400])
  })

  it('sends no 408 after a request was already answered while its body was still arriving', async () => {
    const { port } = await listeningApp('silent', { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000' })
    const statuses = await statusesUntilClosed(
      port,
      'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    )
    expect(statuses).toEqual([401])
  })
})

describe('Expect: 100-continue', () => {
  const orderHead = (authorization: string) =>
    `POST /orders HTTP/1.1\r\nHost: x\r\n${authorization}Content-Type: application/json\r\n` +
    'Content-Length: 48\r\nExpect: 100-continue\r\n\r\n'
  const orderBody = JSON.stringify({ items: [{ productId: 1, quantity: 1 }] }).padEnd(48)

  it('is refused without asking for the body when the credentials are wrong, and the connection closes', async () => {
    const { port } = await listeningApp()
    const connection = await connectTo(port)
    connection.write(orderHead(''))
    const answer = await connection.nextAnswer()
    expect(answer.status).toBe(401)
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' })
    // The client may still send the body it held back; the connection is closed rather than read as a request.
    expect(answer.headers.connection).toBe('close')
    expect(await connection.closedWithin(5000)).toBe(true)
  })

  it('asks for the body once the request is accepted, then answers it', async () => {
    const { port } = await listeningApp()
    const connection = await connectTo(port)
    connection.write(orderHead(`Authorization: ${basicAuth()}\r\n`))
    expect((await connection.nextAnswer()).status).toBe(100)
    connection.write(orderBody)
    const answer = await connection.nextAnswer()
    expect(answer.status).toBe(201)
  })
})
