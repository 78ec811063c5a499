// A slow or stalled client is bounded in time and cannot hold a shutdown (the connection cap: connection-limit.test.ts).

import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import { authHeaders, registerCleanup, testConfig } from './helper.js'
import { openConnection, parseAnswer } from './support/raw-http.js'
import { startServer } from './support/server-process.js'

async function listeningApp(env: Record<string, string>) {
  const app = await buildApp(testConfig({ DATABASE_URL: 'sqlite::memory:', ...env }), {
    logger: createLogger('silent'),
  })
  registerCleanup(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

const orderHead = (length: number) =>
  `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: ${authHeaders.authorization}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

/** Sends `head`, then one byte of body every `everyMs` until the server closes the connection; returns its answer. */
async function trickle(port: number, head: string, everyMs: number) {
  const connection = await openConnection(port)
  connection.write(head)
  const timer = setInterval(() => connection.write(' '), everyMs)
  const received = await connection.closed
  clearInterval(timer)
  return parseAnswer(received)
}

const timeouts = { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' }

describe('slow clients', () => {
  it('answers 408 REQUEST_TIMEOUT to a client that does not finish its headers in time', async () => {
    const port = await listeningApp(timeouts)
    const connection = await openConnection(port)
    connection.write('GET /products HTTP/1.1\r\nHost: x\r\nX-Slow: ')
    const answer = parseAnswer(await connection.closed)
    expect(answer.status).toBe(408)
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT' })
  })

  it('answers 408 to a client that trickles its body, and stores nothing', async () => {
    const port = await listeningApp(timeouts)
    const answer = await trickle(port, orderHead(1000), 200)
    expect(answer.status).toBe(408)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' })
    const orders = await fetch(`http://127.0.0.1:${port}/orders`, { headers: authHeaders })
    expect(await orders.json()).toEqual([])
  })

  it('rejects headers timeouts longer than the request timeout at start-up', () => {
    expect(() => testConfig({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '20000' })).toThrow(
      /^HTTP_HEADERS_TIMEOUT_MS is invalid/,
    )
    expect(() => testConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/^HTTP_REQUEST_TIMEOUT_MS is invalid/)
  })

  it('on SIGTERM closes idle and stalled connections and exits 0, long before the shutdown deadline', async () => {
    // Default timeouts: the stalled clients would be held for 20 s without the shutdown closing them.
    const server = await startServer({ DATABASE_URL: 'sqlite::memory:' })
    const idle = await openConnection(server.port)
    idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    await idle.nextAnswer()
    const stalled = [1, 2, 3].map(() => trickle(server.port, orderHead(1000), 20_000))
    const halfHeaders = await openConnection(server.port)
    halfHeaders.write('GET /products HTTP/1.1\r\nHost: x\r\n')
    await new Promise((resolve) => setTimeout(resolve, 200))

    server.child.kill('SIGTERM')
    // Exit code 1 would mean the shutdown deadline (25 s) forced the exit.
    expect(await server.exited).toBe(0)
    await Promise.all([...stalled, idle.closed, halfHeaders.closed])
  })
})
