// A started server says, in a few plain lines, what it runs as: the mode, the database, Salesforce, the docs and the
// password, without a secret in them and never inside a JSON log line.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../tools/salesforce-emulator/index.js'
import { createPostgresDatabase, postgresAvailable, TEST_PASSWORD } from './helper.js'
import { type ServerProcess, startServer } from './support/server-process.js'

/** The summary block: from its first line to the blank line after it. */
async function summaryOf(server: ServerProcess, lastLine: string): Promise<string[]> {
  await server.waitForOutput(`${lastLine}\n`)
  const lines = server.output().split('\n')
  const first = lines.findIndex((line) => line.startsWith('flowcart is up in '))
  const end = lines.indexOf('', first)
  return lines.slice(first, end)
}

const jsonLines = (server: ServerProcess) =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))

describe('the start-up summary', () => {
  it('locally: basic mode, the SQLite file, Salesforce off, the docs on this address, the password from the environment', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flowcart-summary-')), 'flowcart.db')
    const server = await startServer({ DATABASE_URL: `sqlite:${file}` })
    const summary = await summaryOf(server, '  password   API_PASSWORD from the environment')
    expect(summary).toEqual([
      'flowcart is up in basic mode',
      `  listening  http://127.0.0.1:${server.port}`,
      `  database   SQLite ${file}`,
      '  salesforce sync off (no SF_* variable is set)',
      `  docs       http://127.0.0.1:${server.port}/docs`,
      '  password   API_PASSWORD from the environment',
    ])
    expect((await fetch(`http://127.0.0.1:${server.port}/docs`, { redirect: 'follow' })).status).toBe(200)
    expect(server.output()).not.toContain(TEST_PASSWORD)
  })

  it.skipIf(!postgresAvailable)(
    'on PostgreSQL with Salesforce on: the URL with its password masked, the integration user, PUBLIC_URL/docs',
    async () => {
      const url = new URL(await createPostgresDatabase())
      url.password = 'database-secret-4711'
      const keys = generateKeyPair()
      const server = await startServer({
        DATABASE_URL: url.toString(),
        PUBLIC_URL: 'https://flowcart-shop.herokuapp.com/',
        SF_LOGIN_URL: 'https://login.salesforce.com',
        SF_CONSUMER_KEY: '3MVG9.summary.key',
        SF_USERNAME: 'integration@flowcart.example',
        SF_PRIVATE_KEY: keys.privateKey,
      })
      const summary = await summaryOf(server, '  password   API_PASSWORD from the environment')
      url.password = '****'
      expect(summary).toEqual([
        'flowcart is up in basic mode',
        `  listening  http://127.0.0.1:${server.port}`,
        `  database   PostgreSQL ${url}`,
        "  salesforce sync on, as integration@flowcart.example through https://login.salesforce.com, and each registered org's sign-in",
        '  docs       https://flowcart-shop.herokuapp.com/docs',
        '  password   API_PASSWORD from the environment',
      ])
      for (const secret of ['database-secret-4711', TEST_PASSWORD, '3MVG9.summary.key', 'PRIVATE KEY']) {
        expect(server.output()).not.toContain(secret)
      }
    },
  )

  it('in AppLink mode: on loopback at APP_PORT, callers authenticated by the mesh, no password', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flowcart-summary-')), 'flowcart.db')
    const server = await startServer({
      AUTH_MODE: 'applink',
      APP_PORT: '0',
      API_PASSWORD: '',
      DATABASE_URL: `sqlite:${file}`,
    })
    const summary = await summaryOf(server, '  callers    authenticated by the AppLink service mesh (no password)')
    expect(summary).toEqual([
      'flowcart is up in AppLink mode',
      `  listening  http://127.0.0.1:${server.port} (APP_PORT, behind the service mesh)`,
      `  database   SQLite ${file}`,
      '  salesforce no default org (APPLINK_AUTHORIZATION is not set); events go to each registered org with its own authorization (npm run orgs -- list)',
      `  docs       http://127.0.0.1:${server.port}/docs`,
      '  callers    authenticated by the AppLink service mesh (no password)',
    ])
  })

  it('keeps the remembered password of a local run out of every JSON log line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flowcart-summary-')), 'flowcart.db')
    const server = await startServer({ DATABASE_URL: `sqlite:${file}`, API_PASSWORD: '' })
    await server.waitForOutput('/products\n')
    const [, password] = /^ {2}curl -u flowcart:(\S+) /m.exec(server.output()) ?? []
    expect(password).toMatch(/^[\w-]{24}$/)
    expect(server.output()).toContain(
      `  password   API_PASSWORD is not set, so flowcart uses the password kept in ${join(file, '..', 'api-password')}:`,
    )
    expect(jsonLines(server).filter((line) => line.includes(password as string))).toEqual([])
  })
})
