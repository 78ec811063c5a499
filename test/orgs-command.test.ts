// npm run orgs: the org registry from the command line, run as an operator runs it, on each engine.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../src/db/connect.js'
import { verifyOrgLogin } from '../src/orgs/service.js'
import { engines, sharedDatabaseUrlFor } from './helper.js'
import { selectRows } from './support/database-rows.js'

const ORG_15 = '00DB00000003brX'
const ORG_ID = '00DB00000003brXMAQ'
const OTHER_ORG_ID = '00DB0000000pqd1MAA'
const THIRD_ORG_ID = '00DV0025306tGV5MAM'
const SIGN_IN = ['--login-url', 'http://127.0.0.1:4999', '--username', 'int@globex.example', '--consumer-key', 'K3Y']

function orgs(databaseUrl: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/orgs.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    // A command that never ends fails its test (status null) instead of holding up the run.
    timeout: 120_000,
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** What basic auth will ask: is this user name and password an active org's login? */
async function loginOf(databaseUrl: string, username: string, password: string) {
  const db = await openDatabase(databaseUrl, { poolSize: 1 })
  try {
    return await verifyOrgLogin(db, username, password)
  } finally {
    await db.close()
  }
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '')
const passwordIn = (stdout: string) => /^ {2}password: +(\S+)$/m.exec(stdout)?.[1] ?? ''

describe.each(engines)('npm run orgs on %s', (engine) => {
  it('add prints the login once, says where it goes, and keeps only a hash of the password', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const added = orgs(databaseUrl, 'add', '--org-id', ORG_15, '--name', 'Acme')
    expect(added).toMatchObject({ status: 0, stderr: '' })
    expect(added.stdout).toContain(`Added org ${ORG_ID} (Acme)`)
    expect(added.stdout).toMatch(new RegExp(`^ {2}user name: org-${ORG_ID}$`, 'm'))
    expect(added.stdout).toContain('Named Credential principal')
    const password = passwordIn(added.stdout)
    expect(password).toMatch(/^[A-Za-z0-9_-]{24,}$/)
    expect(added.stdout.split(password)).toHaveLength(2)
    expect(await loginOf(databaseUrl, `org-${ORG_ID}`, password)).toMatchObject({ orgId: ORG_ID, name: 'Acme' })

    const stored = await selectRows<Record<string, unknown>>(databaseUrl, 'select * from orgs')
    expect(stored).toHaveLength(1)
    expect(JSON.stringify(stored)).not.toContain(password)
    expect(stored[0]).toMatchObject({ org_id: ORG_ID, username: `org-${ORG_ID}`, status: 'active' })
    expect(String(stored[0]?.password_hash)).toMatch(/^scrypt\$32768\$8\$3\$/)

    const listed = orgs(databaseUrl, 'list')
    expect(listed).toMatchObject({ status: 0, stderr: '' })
    expect(lines(listed.stdout)).toEqual([
      expect.stringMatching(/^org Id +status +user name +name +Salesforce$/),
      expect.stringMatching(new RegExp(`^${ORG_ID} +active +org-${ORG_ID} +Acme +none$`)),
    ])
  })

  it('add --json prints exactly one object, and list --json shows each org without password or hash', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const first = orgs(databaseUrl, 'add', '--org-id', ORG_ID, '--name', 'Acme', '--json')
    expect(first).toMatchObject({ status: 0, stderr: '' })
    const login = JSON.parse(first.stdout)
    expect(first.stdout).toBe(`${JSON.stringify(login)}\n`)
    expect(Object.keys(login)).toEqual(['orgId', 'username', 'password'])
    expect(login).toEqual({ orgId: ORG_ID, username: `org-${ORG_ID}`, password: expect.stringMatching(/^.{24,}$/) })
    const second = orgs(databaseUrl, 'add', '--org-id', OTHER_ORG_ID, '--name', 'Globex', ...SIGN_IN, '--json')
    const third = orgs(
      databaseUrl,
      ...['add', '--org-id', THIRD_ORG_ID, '--name', 'Initech', '--applink-authorization', 'InitechAuth'],
    )
    expect([second.status, third.status]).toEqual([0, 0])

    const listed = orgs(databaseUrl, 'list', '--json')
    expect(listed).toMatchObject({ status: 0, stderr: '' })
    const when = expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    const entry = { status: 'active', passwordSetAt: when, createdAt: when }
    expect(JSON.parse(listed.stdout)).toEqual([
      { ...entry, orgId: ORG_ID, name: 'Acme', username: `org-${ORG_ID}`, signIn: null, appLinkAuthorization: null },
      {
        ...entry,
        orgId: OTHER_ORG_ID,
        name: 'Globex',
        username: `org-${OTHER_ORG_ID}`,
        signIn: { loginUrl: 'http://127.0.0.1:4999', username: 'int@globex.example' },
        appLinkAuthorization: null,
      },
      {
        ...entry,
        orgId: THIRD_ORG_ID,
        name: 'Initech',
        username: `org-${THIRD_ORG_ID}`,
        signIn: null,
        appLinkAuthorization: 'InitechAuth',
      },
    ])
    const text = orgs(databaseUrl, 'list').stdout
    expect(text).toContain('sign-in as int@globex.example (http://127.0.0.1:4999)')
    expect(text).toContain('AppLink authorization InitechAuth')
    for (const output of [listed.stdout, text]) {
      expect(output).not.toContain(login.password)
      expect(output).not.toContain(JSON.parse(second.stdout).password)
      expect(output).not.toContain('scrypt')
    }
  })

  it('rotate gives a new password and the old one stops working; disable refuses the login until enable', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const old = JSON.parse(orgs(databaseUrl, 'add', '--org-id', ORG_ID, '--name', 'Acme', '--json').stdout)
    const rotated = orgs(databaseUrl, 'rotate', ORG_15, '--json')
    expect(rotated).toMatchObject({ status: 0, stderr: '' })
    const fresh = JSON.parse(rotated.stdout)
    expect(Object.keys(fresh)).toEqual(['orgId', 'username', 'password'])
    expect(fresh).toMatchObject({ orgId: ORG_ID, username: old.username })
    expect(fresh.password).not.toBe(old.password)
    expect(await loginOf(databaseUrl, old.username, old.password)).toBeUndefined()
    expect(await loginOf(databaseUrl, old.username, fresh.password)).toMatchObject({ orgId: ORG_ID })

    const disabled = orgs(databaseUrl, 'disable', ORG_ID)
    expect(disabled).toMatchObject({ status: 0, stderr: '' })
    expect(disabled.stdout).toContain(`Disabled org ${ORG_ID} (Acme)`)
    expect(await loginOf(databaseUrl, old.username, fresh.password)).toBeUndefined()
    expect(JSON.parse(orgs(databaseUrl, 'list', '--json').stdout)[0].status).toBe('disabled')
    expect(orgs(databaseUrl, 'disable', ORG_ID).stdout).toContain('is disabled already')

    expect(orgs(databaseUrl, 'enable', ORG_ID)).toMatchObject({ status: 0, stderr: '' })
    expect(await loginOf(databaseUrl, old.username, fresh.password)).toMatchObject({ status: 'active' })
    const text = orgs(databaseUrl, 'rotate', ORG_ID)
    expect(text.stdout).toContain('the one before no longer works')
    expect(await loginOf(databaseUrl, old.username, passwordIn(text.stdout))).toMatchObject({ orgId: ORG_ID })
  })

  it('refuses a duplicate, a malformed Id and partial sign-in settings in one line, exit 1, writing nothing', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const { password } = JSON.parse(orgs(databaseUrl, 'add', '--org-id', ORG_ID, '--name', 'Acme', '--json').stdout)
    const refusals = [
      [['add', '--org-id', ORG_15, '--name', 'Again', '--json'], `org ${ORG_ID} is registered already`],
      [['add', '--org-id', '00DB00000003brXMAA', '--name', 'X'], 'ends in "MAA", but its first 15 characters give'],
      [['add', '--org-id', '00DB00000003b', '--name', 'X'], 'has 13 characters: an Id has 15 or 18'],
      [['add', '--org-id', OTHER_ORG_ID, '--name', 'X', '--login-url', 'https://login.salesforce.com'], 'together'],
      [['add', '--org-id', OTHER_ORG_ID, '--name', 'X', ...SIGN_IN.slice(0, 4), '--consumer-key', ' '], 'consumer'],
      [['add', '--org-id', OTHER_ORG_ID, '--name', 'X', ...SIGN_IN.slice(2), '--login-url', 'ftp://x'], 'http(s)'],
      [['add', '--org-id', OTHER_ORG_ID, '--name', 'X', '--applink-authorization', 'a b'], 'developer name'],
      [['rotate', OTHER_ORG_ID], `no org ${OTHER_ORG_ID} in the registry`],
      [['disable', 'not-an-id'], 'holds "-"'],
    ] as const
    for (const [args, reason] of refusals) {
      const run = orgs(databaseUrl, ...args)
      expect(run, args.join(' ')).toMatchObject({ status: 1, stdout: '' })
      expect(lines(run.stderr), args.join(' ')).toEqual([expect.stringContaining(reason)])
    }
    const stored = await selectRows<{ org_id: string; name: string }>(databaseUrl, 'select org_id, name from orgs')
    expect(stored).toEqual([{ org_id: ORG_ID, name: 'Acme' }])
    expect(await loginOf(databaseUrl, `org-${ORG_ID}`, password)).toMatchObject({ name: 'Acme' })
  })
})

describe('npm run orgs, usage', () => {
  it.each([
    [[], 'name a command'],
    [['frobnicate'], 'no command "frobnicate"'],
    [['add', '--name', 'Acme'], 'add needs --org-id'],
    [['list', '--bogus'], "Unknown option '--bogus'"],
    [['rotate'], 'name one org Id'],
    [['disable', ORG_ID, '--json'], "Unknown option '--json'"],
  ])('%j exits 2 with the reason and the usage line', (args, reason) => {
    const run = orgs('sqlite::memory:', ...args)
    expect(run).toMatchObject({ status: 2, stdout: '' })
    expect(run.stderr).toContain(reason)
    expect(run.stderr).toMatch(/^usage: npm run orgs -- /m)
  })

  it('a database it cannot open is one line with the fix', () => {
    // A file where the database's folder should be.
    const file = join(mkdtempSync(join(tmpdir(), 'flowcart-orgs-')), 'a-file')
    writeFileSync(file, '')
    const run = orgs(`sqlite:${file}/data/flowcart.db`, 'list')
    expect(run).toMatchObject({ status: 1, stdout: '' })
    expect(lines(run.stderr)).toEqual([expect.stringContaining('set DATABASE_URL=sqlite:')])
  })
})
