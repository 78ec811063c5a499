// Past HTTP_MAX_CONNECTIONS a newcomer takes the place of a connection nothing is being answered on.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import { basicAuth, createPostgresDatabase, postgresAvailable, registerCleanup, testConfig } from './helper.js'
import { lockProducts } from './support/products-lock.js'
import { openConnection, type RawConnection, sendRaw } from './support/raw-http.js'

const LIMIT = 20

async function listeningApp(env: Record<string, string> = {}) {
  const app = await buildApp(
    testConfig({ DATABASE_URL: 'sqlite::memory:', HTTP_MAX_CONNECTIONS: String(LIMIT), ...env }),
    { logger: createLogger('silent') },
  )
  registerCleanup(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

/** `count` connections opened one after the other, closed from this side after the test. */
async function openMany(port: number, count: number): Promise<RawConnection[]> {
  const connections: RawConnection[] = []
  for (let i = 0; i < count; i++) {
    const connection = await openConnection(port)
    registerCleanup(async () => connection.close())
    connections.push(connection)
  }
  return connections
}

/** Waits (at most 5 s) until the server has accepted `count` connections, so that every slot is taken. */
async function untilServerHolds(app: FastifyInstance, count: number) {
  const held = () => new Promise<number>((resolve) => app.server.getConnections((_error, n) => resolve(n)))
  for (let waited = 0; (await held()) < count && waited < 5000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  expect(await held()).toBe(count)
}

const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
const products = `GET /products HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth()}\r\n\r\n`

/** A new client's /healthz and an authenticated request, each on a connection of its own, are answered. */
async function expectNewcomersAnswered(port: number) {
  expect((await sendRaw(port, healthz)).status).toBe(200)
  expect((await sendRaw(port, products)).status).toBe(200)
}

/** True when a new connection gets no answer at all: the server closed it. */
const refused = (port: number) =>
  sendRaw(port, healthz).then(
    (answer) => answer.text === '',
    () => true,
  )

describe('connection limit', () => {
  it('answers a newcomer when every slot is held by a connection that sent nothing, closing the oldest', async () => {
    const { app, port } = await listeningApp()
    const silent = await openMany(port, LIMIT)
    await untilServerHolds(app, LIMIT)

    await expectNewcomersAnswered(port)
    expect(await silent[0]?.closedWithin(5000)).toBe(true)
    const newest = silent[LIMIT - 1] as RawConnection
    newest.write(healthz)
    expect((await newest.nextAnswer()).status).toBe(200)
  })

  it('answers a newcomer when every slot is held by a keep-alive connection between requests', async () => {
    const { app, port } = await listeningApp()
    const kept = await openMany(port, LIMIT)
    for (const connection of kept) {
      connection.write(healthz)
      expect((await connection.nextAnswer()).status).toBe(200)
    }
    await untilServerHolds(app, LIMIT)

    await expectNewcomersAnswered(port)
    expect(await kept[0]?.closedWithin(5000)).toBe(true)
  })

  it('answers a newcomer when every slot is held by a client still sending its request headers', async () => {
    const { app, port } = await listeningApp()
    for (const connection of await openMany(port, LIMIT)) connection.write('GET /products HTTP/1.1\r\nHost: x\r\n')
    await untilServerHolds(app, LIMIT)

    await expectNewcomersAnswered(port)
  })

  it('refuses a newcomer only while every connection is being answered', async () => {
    const { app, port } = await listeningApp({ HTTP_MAX_CONNECTIONS: '3' })
    const body = JSON.stringify({ items: [{ productId: 1, quantity: 1 }] })
    const busy = await openMany(port, 3)
    for (const connection of busy) {
      connection.write(
        `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth()}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
      )
      // 100 Continue: the request has reached its route, which waits for the body.
      expect((await connection.nextAnswer()).status).toBe(100)
    }
    await untilServerHolds(app, 3)

    expect(await refused(port)).toBe(true)
    const [first] = busy as [RawConnection]
    first.write(body)
    expect((await first.nextAnswer()).status).toBe(201)
    expect((await sendRaw(port, healthz)).status).toBe(200)
  })
})

describe.skipIf(!postgresAvailable)('connection limit, with an answer in progress', () => {
  it('never closes a connection whose request is being answered', async () => {
    const databaseUrl = await createPostgresDatabase()
    const { app, port } = await listeningApp({ DATABASE_URL: databaseUrl })
    // Another session locks the catalog: a request for a product waits on that lock, mid-answer, until it is released.
    const lock = await lockProducts(databaseUrl)
    const [answering] = (await openMany(port, 1)) as [RawConnection]
    answering.write(`GET /products/1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth()}\r\n\r\n`)
    await lock.untilWaiting()
    await openMany(port, LIMIT - 1)
    await untilServerHolds(app, LIMIT)

    // More newcomers than there are slots, each kept open: every one is answered, each taking an idle one's place.
    for (let i = 0; i < LIMIT + 5; i++) {
      const [newcomer] = (await openMany(port, 1)) as [RawConnection]
      newcomer.write(healthz)
      expect((await newcomer.nextAnswer()).status).toBe(200)
    }
    await lock.release()
    expect((await answering.nextAnswer()).status).toBe(200)
  })
})
