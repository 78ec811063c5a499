// Several orgs on one flowcart, basic mode: each registered org calls with its own login, places orders that only it
// sees, and is refused on every dyno within 5 s of being disabled or rotated.
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import { addOrg, rotateOrgPassword, setOrgStatus } from '../src/orgs/service.js'
import { basicAuth, engines, openTestDatabase, registerCleanup, sharedDatabaseUrlFor, testConfig } from './helper.js'
import { walkPages } from './support/page-walk.js'

// 15-character Ids, as Setup shows them; the registry keeps their 18-character form (org.orgId).
const ORG_A = '00D5g000004AbCd'
const ORG_B = '00D5g000004XyZa'

async function twoOrgs(databaseUrl: string) {
  const db = await openTestDatabase(databaseUrl)
  const a = await addOrg(db, { orgId: ORG_A, name: 'Org A' })
  const b = await addOrg(db, { orgId: ORG_B, name: 'Org B' })
  return { db, a, b }
}

async function startApp(databaseUrl: string) {
  const app = await buildApp(testConfig({ DATABASE_URL: databaseUrl }), { logger: createLogger('silent') })
  registerCleanup(() => app.close())
  await app.ready()
  return app
}

const as = (login: { org: { username: string }; password: string }) => ({
  authorization: basicAuth(login.org.username, login.password),
})
const order = (productId: number) => ({ items: [{ productId, quantity: 1 }] })

describe.each(engines)('registered orgs on %s', (engine) => {
  it('each org calls with its own login and sees only its own orders; the default login sees the others', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const { a, b } = await twoOrgs(databaseUrl)
    const app = await startApp(databaseUrl)
    const post = (headers: Record<string, string>, key: string) =>
      app.inject({ method: 'POST', url: '/orders', headers: { ...headers, 'idempotency-key': key }, payload: order(1) })

    const fromA = await post(as(a), 'same-key')
    expect(fromA.statusCode).toBe(201)
    // The same key from another org is another order: keys are per org.
    const fromB = await post(as(b), 'same-key')
    expect(fromB.statusCode).toBe(201)
    expect(fromB.json().id).not.toBe(fromA.json().id)
    const fromDefault = await post({ authorization: basicAuth() }, 'same-key')
    expect(fromDefault.statusCode).toBe(201)

    const ids = async (headers: Record<string, string>, query = '') =>
      (await app.inject({ url: `/orders${query}`, headers })).json().map((o: { id: number }) => o.id)
    expect(await ids(as(a))).toEqual([fromA.json().id])
    expect(await ids(as(b))).toEqual([fromB.json().id])
    expect(await ids({ authorization: basicAuth() })).toEqual([fromDefault.json().id])
    expect(await ids(as(a), `?orgId=${b.org.orgId}`)).toEqual([])
    expect(await ids(as(a), `?orgId=${a.org.orgId}`)).toEqual([fromA.json().id])
    // The 15-character Id Setup shows names the same org.
    expect(await ids(as(a), `?orgId=${ORG_A}`)).toEqual([fromA.json().id])
    expect(await ids(as(a), `?orgId=${ORG_B}`)).toEqual([])
    expect((await app.inject({ url: `/orders/${fromB.json().id}`, headers: as(a) })).statusCode).toBe(404)
    expect((await app.inject({ url: `/orders/${fromA.json().id}`, headers: as(a) })).statusCode).toBe(200)
    // Products and stock are one catalog for every org.
    expect((await app.inject({ url: '/products/1', headers: as(b) })).json().quantityInStock).toBe(37)
  })

  it("pages with after through its own orders only, past the other orgs' between them", async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const { a, b } = await twoOrgs(databaseUrl)
    const app = await startApp(databaseUrl)
    const logins = { a: as(a), b: as(b), default: { authorization: basicAuth() } }
    const placed = { a: [] as number[], b: [] as number[], default: [] as number[] }
    // Interleaved: 7 of A's, then a run of 5 of B's and the default login's, then 6 more of A's, one by one.
    const sequence = [...'aaaaaaa', ...'bdbdbbddbd', ...'aaaaaa'] as Array<'a' | 'b' | 'd'>
    for (const who of sequence) {
      const caller = who === 'd' ? 'default' : who
      const response = await app.inject({ method: 'POST', url: '/orders', headers: logins[caller], payload: order(1) })
      expect(response.statusCode).toBe(201)
      placed[caller].push(response.json().id)
    }
    const newestFirst = (ids: number[]) => [...ids].sort((x, y) => y - x)

    for (const caller of ['a', 'b', 'default'] as const) {
      const headers = logins[caller]
      expect(await walkPages(app, '/orders', 'after', { pageSize: 2, headers })).toEqual(newestFirst(placed[caller]))
      expect(await walkPages(app, '/orders', 'offset', { pageSize: 2, headers })).toEqual(newestFirst(placed[caller]))
    }
    // With orgId naming the caller's own org, as AppLink-mode flows send it; another org's gives nothing, after or not.
    const query = `orgId=${a.org.orgId}`
    expect(await walkPages(app, '/orders', 'after', { pageSize: 3, headers: logins.a, query })).toEqual(
      newestFirst(placed.a),
    )
    const ids = async (headers: Record<string, string>, search: string) =>
      (await app.inject({ url: `/orders?${search}`, headers })).json().map((o: { id: number }) => o.id)
    expect(await ids(logins.a, `orgId=${b.org.orgId}&after=${placed.a.at(-1)}`)).toEqual([])
    // Another org's order id only marks a place: A's orders before it, never B's.
    const firstOfB = placed.b[0] as number
    expect(await ids(logins.a, `after=${firstOfB}`)).toEqual(newestFirst(placed.a.filter((id) => id < firstOfB)))
  })

  it('refuses a wrong password, and a disabled or rotated login on every dyno within 5 s', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const { db, a, b } = await twoOrgs(databaseUrl)
    const dynos = [await startApp(databaseUrl), await startApp(databaseUrl)]
    const status = (app: FastifyInstance, headers: Record<string, string>) =>
      app.inject({ url: '/products/1', headers }).then((response) => response.statusCode)
    for (const dyno of dynos) {
      expect(await status(dyno, as(a))).toBe(200)
      expect(await status(dyno, as(b))).toBe(200)
    }
    expect(await status(dynos[0] as FastifyInstance, as({ org: a.org, password: `${a.password}x` }))).toBe(401)

    await setOrgStatus(db, ORG_A, 'disabled')
    const rotated = await rotateOrgPassword(db, ORG_B)
    const since = Date.now()
    let refused = false
    while (!refused && Date.now() - since < 5000) {
      const answers = await Promise.all(dynos.flatMap((dyno) => [status(dyno, as(a)), status(dyno, as(b))]))
      refused = answers.every((code) => code === 401)
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(refused).toBe(true)
    for (const dyno of dynos) expect(await status(dyno, as(rotated))).toBe(200)
  })

  it("counts each org's failed logins apart: one org locked out from an address leaves the others in", async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const { a, b } = await twoOrgs(databaseUrl)
    const app = await startApp(databaseUrl)
    const status = (headers: Record<string, string>) =>
      app.inject({ url: '/products/1', headers }).then((response) => response.statusCode)
    const wrongA = as({ org: a.org, password: 'not-the-password-of-a' })
    const failures = []
    for (let attempt = 0; attempt < 11; attempt++) failures.push(await status(wrongA))
    expect(failures.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(failures[10]).toBe(429)
    expect(await status(as(a))).toBe(429)
    expect(await status(as(b))).toBe(200)
    expect(await status({ authorization: basicAuth() })).toBe(200)
  })
})
