// A server or release phase that cannot reach its database, or its port, stops at once with one line naming the
// cause as PostgreSQL or the system gave it and the fix: no stack, no retry loop, never DATABASE_URL's password.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DatabaseUnavailable } from '../src/errors.js'
import { startUpProblem } from '../src/start-up-errors.js'
import { postgresAvailable, TEST_PASSWORD } from './helper.js'

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SECRET = `pw-${randomBytes(9).toString('hex')}`
const unique = () => randomBytes(4).toString('hex')

/** TEST_POSTGRES_URL with a password, and whatever else `change` sets. */
function postgresUrl(change: (url: URL) => void): string {
  const url = new URL(POSTGRES_URL)
  url.password = SECRET
  change(url)
  return url.toString()
}

const ENTRY_POINTS = { server: 'src/server.ts', migrate: 'scripts/migrate.ts' }
type EntryPoint = keyof typeof ENTRY_POINTS

/** Runs the entry point as `node` would (through tsx), to its end. */
async function run(entry: EntryPoint, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY_POINTS[entry]], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', API_PASSWORD: TEST_PASSWORD, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  return { status, stdout, stderr }
}

async function expectOneLine(entry: EntryPoint, env: Record<string, string>, ...parts: Array<string | RegExp>) {
  const { status, stdout, stderr } = await run(entry, env)
  const lines = stderr.split('\n').filter((line) => line !== '')
  expect(lines, stderr).toHaveLength(1)
  const [line] = lines as [string]
  expect(line).toMatch(entry === 'server' ? /^flowcart cannot start: / : /^flowcart cannot migrate: /)
  for (const part of parts) expect(line).toMatch(part)
  expect(stdout + stderr).not.toMatch(/^\s+at /m)
  expect(stdout + stderr).not.toContain(SECRET)
  expect(status).toBe(1)
  return line
}

describe.each(Object.keys(ENTRY_POINTS) as EntryPoint[])('%s, on a database it cannot use', (entry) => {
  it.skipIf(!postgresAvailable)('names a database that does not exist', async () => {
    const name = `flowcart_missing_${unique()}`
    const url = postgresUrl((u) => {
      u.pathname = `/${name}`
    })
    const line = await expectOneLine(
      entry,
      { DATABASE_URL: url },
      `database "${name}" does not exist`,
      /create the database/,
    )
    expect(line).toContain(url.replace(SECRET, '****'))
    expect(line).not.toMatch(/retry/)
  })

  it.skipIf(!postgresAvailable)('names a role that does not exist', async () => {
    const role = `flowcart_nobody_${unique()}`
    const url = postgresUrl((u) => {
      u.username = role
    })
    await expectOneLine(
      entry,
      { DATABASE_URL: url },
      `role "${role}" does not exist`,
      /correct the user in DATABASE_URL/,
    )
  })

  it('names a port where nothing listens', async () => {
    const url = postgresUrl((u) => {
      u.hostname = '127.0.0.1'
      u.port = '5499'
    })
    const line = await expectOneLine(entry, { DATABASE_URL: url }, /ECONNREFUSED 127\.0\.0\.1:5499/, /start PostgreSQL/)
    expect(line).not.toMatch(/retry/)
  })

  it('names a SQLite path whose folder cannot be made', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flowcart-start-')), 'a-file')
    writeFileSync(file, '')
    const location = join(file, 'data', 'flowcart.db')
    await expectOneLine(
      entry,
      { DATABASE_URL: `sqlite:${location}`, API_PASSWORD: '' },
      `SQLite database ${location}`,
      /ENOTDIR/,
      /set DATABASE_URL=sqlite:/,
    )
  })
})

describe('a port already taken', () => {
  let taken: Server | undefined
  afterEach(() => taken?.close())

  const takePort = async () => {
    taken = createServer()
    await new Promise<void>((resolve) => taken?.listen(0, '127.0.0.1', resolve))
    return (taken.address() as { port: number }).port
  }
  const database = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'flowcart-start-')), 'flowcart.db')}`

  it('names PORT in basic mode', async () => {
    const port = await takePort()
    await expectOneLine(
      'server',
      { PORT: String(port), DATABASE_URL: database() },
      `port ${port} on 127.0.0.1 is already in use (EADDRINUSE)`,
      /set PORT to another port/,
    )
  })

  it('names APP_PORT in AppLink mode', async () => {
    const port = await takePort()
    await expectOneLine(
      'server',
      { AUTH_MODE: 'applink', APP_PORT: String(port), HOST: '', DATABASE_URL: database() },
      `port ${port} on 127.0.0.1 is already in use (EADDRINUSE)`,
      /set APP_PORT to another port/,
    )
  })
})

describe('the line for each cause', () => {
  const context = { databaseUrl: 'postgres://flowcart:hunter2-secret@db.example:5432/shop' }
  const unavailable = (code: string, message: string) =>
    new DatabaseUnavailable(Object.assign(new Error(message), { code }))

  it('asks for a retry only where the cause passes by itself', () => {
    const starting = startUpProblem(unavailable('57P03', 'the database system is starting up'), context)
    expect(starting).toMatch(/^the database system is starting up \(DATABASE_URL is postgres:\/\/flowcart:\*{4}@/)
    expect(starting).toMatch(/retry shortly/)
    expect(startUpProblem(unavailable('ETIMEDOUT', 'connect ETIMEDOUT'), context)).toMatch(/retry shortly/)
    expect(startUpProblem(unavailable('3D000', 'database "shop" does not exist'), context)).not.toMatch(/retry/)
    expect(startUpProblem(unavailable('28P01', 'password authentication failed'), context)).not.toContain('hunter2')
  })

  it('names a file that is not a SQLite database', () => {
    const notADatabase = Object.assign(new Error('file is not a database'), {
      name: 'SqliteError',
      code: 'SQLITE_NOTADB',
    })
    expect(startUpProblem(notADatabase, { databaseUrl: 'sqlite:./notes.txt' })).toBe(
      'cannot open the SQLite database ./notes.txt (SQLITE_NOTADB: file is not a database): set DATABASE_URL=sqlite:<a SQLite file, or a new path>.',
    )
  })

  it('leaves a bug to its stack', () => {
    expect(startUpProblem(new TypeError('x is not a function'), context)).toBeUndefined()
    const syntax = Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' })
    expect(startUpProblem(syntax, context)).toBeUndefined()
  })
})
