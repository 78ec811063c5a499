// The real server as a child process on SQLite: every order answered 201 must survive kill -9.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { authHeaders, TEST_PASSWORD } from './helper.js'

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

async function startServer(databaseFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${databaseFile}`,
      API_PASSWORD: TEST_PASSWORD,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const url = await new Promise<string>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk
      const match = output.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
  return { child, url }
}

describe('durability', () => {
  it('keeps every acknowledged order when the process is killed with SIGKILL mid-traffic', async () => {
    const databaseFile = join(mkdtempSync(join(tmpdir(), 'flowcart-durability-')), 'flowcart.db')
    const first = await startServer(databaseFile)

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
    const clients = Array.from({ length: 4 }, placeOrders)
    const deadline = Date.now() + 20_000
    while (acknowledged.length < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    const exited = new Promise((resolve) => first.child.once('exit', resolve))
    first.child.kill('SIGKILL')
    stop = true
    await Promise.all(clients)
    await exited

    const second = await startServer(databaseFile)
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

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const databaseFile = join(mkdtempSync(join(tmpdir(), 'flowcart-shutdown-')), 'flowcart.db')
    const server = await startServer(databaseFile)
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve))
    const inFlight = fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ productId: 1, quantity: 1 }] }),
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    server.child.kill('SIGTERM')
    expect((await inFlight).status).toBe(201)
    expect(await exited).toBe(0)
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  })
})
