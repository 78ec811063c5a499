// A local run without API_PASSWORD keeps the password it generated, so yesterday's curl line still works today.
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { basicAuth } from './helper.js'
import { startServer } from './support/server-process.js'

describe('the password of a local run without API_PASSWORD', () => {
  it('is printed on its own line, kept next to the SQLite file with mode 600, and the same after a restart', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'flowcart-password-'))
    const env = { DATABASE_URL: `sqlite:${join(folder, 'flowcart.db')}`, API_PASSWORD: '' }
    const passwordOf = async (server: Awaited<ReturnType<typeof startServer>>) => {
      await server.waitForOutput('/products\n')
      const line = /^ {2}curl -u flowcart:(\S+) http:\/\/localhost:\d+\/products$/m.exec(server.output())
      return line?.[1]
    }

    const first = await startServer(env)
    const password = await passwordOf(first)
    expect(password).toMatch(/^[\w-]{24}$/)
    expect(first.output()).toContain(`kept in ${join(folder, 'api-password')}`)
    expect(statSync(join(folder, 'api-password')).mode & 0o777).toBe(0o600)
    const products = await fetch(`${first.url}/products`, {
      headers: { authorization: basicAuth('flowcart', password) },
    })
    expect(products.status).toBe(200)
    // Never inside a JSON log line.
    expect(
      first
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes(password as string)),
    ).toEqual([])
    first.child.kill('SIGTERM')
    await first.exited

    const second = await startServer(env)
    expect(await passwordOf(second)).toBe(password)
  })
})
