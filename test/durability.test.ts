// The real server as a child process: every order answered 201 must survive kill -9, on both engines (each
// group-commits its orders: the answer waits for the commit that holds the order).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { authHeaders, engines, sharedDatabaseUrlFor } from './helper.js'
import { openConnection } from './support/raw-http.js'
import { startServer } from './support/server-process.js'

const serverOn = (databaseFile: string) => startServer({ DATABASE_URL: `sqlite:${databaseFile}` })

describe.each(engines)('durability on %s', (engine) => {
  it('keeps every acknowledged order when the process is killed with SIGKILL mid-traffic', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const first = await startServer({ DATABASE_URL: databaseUrl })

    const acknowledged: number[] = []
    let stop = false
    const placeOrders = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${first.url}/orders`, {
            method: 'POST',
            headers: { ...authHeaders, 'content-type': 'application/json' },
            body: JSON.stringify({ items: [{ productId: 11, quantity: 1 }] }),
          })
          if (response.status === 201) acknowledged.push(((await response.json()) as { id: number }).id)
        } catch {
          return // the server is gone
        }
      }
    }
    // Eight at a time: orders arrive together, so batches of several share a commit when the process dies.
    const clients = Array.from({ length: 8 }, placeOrders)
    const deadline = Date.now() + 20_000
    while (acknowledged.length < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    first.child.kill('SIGKILL')
    stop = true
    await Promise.all(clients)
    await first.exited

    const second = await startServer({ DATABASE_URL: databaseUrl })
    const stored = (await (
      await fetch(`${second.url}/orders?pageSize=200`, { headers: authHeaders })
    ).json()) as Array<{
      id: number
    }>
    const storedIds = new Set(stored.map((order) => order.id))
    expect(acknowledged.length).toBeGreaterThanOrEqual(40)
    expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([])
    const [stock] = (await (
      await fetch(`${second.url}/inventory?productId=11`, { headers: authHeaders })
    ).json()) as Array<{
      quantityInStock: number
    }>
    expect(stock?.quantityInStock).toBe(200 - stored.length)
  }, 60_000)
})

describe('shutdown', () => {
  it('on SIGTERM finishes the request in flight on a keep-alive connection, then exits 0', async () => {
    const databaseFile = join(mkdtempSync(join(tmpdir(), 'flowcart-shutdown-')), 'flowcart.db')
    const server = await serverOn(databaseFile)
    const connection = await openConnection(server.port)
    // A first answer on the connection: the server has it, so the signal cannot overtake it.
    connection.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    expect((await connection.nextAnswer()).status).toBe(200)
    const body = JSON.stringify({ items: [{ productId: 1, quantity: 1 }] })
    connection.write(
      `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: ${authHeaders.authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    )

    server.child.kill('SIGTERM')
    await server.waitForOutput('shutting down')
    connection.write(body.slice(10))

    expect((await connection.nextAnswer()).status).toBe(201)
    expect(await server.exited).toBe(0)
    await connection.closed
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  })
})
