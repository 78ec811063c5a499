import { createServer, type Server, type Socket } from 'node:net'
import jwt from 'jsonwebtoken'
import pino from 'pino'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SalesforceAuthError, SalesforceUnavailableError } from '../src/salesforce/errors.js'
import { deriveAudience, type SalesforceSettings } from '../src/salesforce/settings.js'
import { createTokenProvider } from '../src/salesforce/token-provider.js'
import {
  generateKeyPair,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../tools/salesforce-emulator/index.js'
import { captureLines } from './support/log-capture.js'
import { emulatorSettings, TEST_CONSUMER_KEY, TEST_USERNAME } from './support/salesforce-settings.js'

const consumerKey = TEST_CONSUMER_KEY
const username = TEST_USERNAME
const keys = generateKeyPair()
let emulator: SalesforceEmulator
let settings: SalesforceSettings

function captureLogs() {
  const { stream, text } = captureLines()
  return { logger: pino({ level: 'debug' }, stream), text }
}

// Passes every request through to the emulator and keeps the assertions that were sent.
function recordingFetch() {
  const assertions: string[] = []
  const wrapped: typeof fetch = (input, init) => {
    const assertion = new URLSearchParams(String(init?.body)).get('assertion')
    if (assertion) assertions.push(assertion)
    return fetch(input, init)
  }
  return { fetch: wrapped, assertions }
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: Error) => err,
  )
}

beforeAll(async () => {
  emulator = await startSalesforceEmulator({ consumerKey, username, publicKey: keys.publicKey })
  settings = emulatorSettings(emulator.url, keys.privateKey, 1000)
})

afterAll(() => emulator.close())

beforeEach(() => emulator.resetCounters())

afterEach(() => emulator.setLatency(0))

describe('token provider', () => {
  it('asks Salesforce once for 100 sequential and 50 concurrent callers', async () => {
    const provider = createTokenProvider(settings)
    const first = await provider.getToken()
    for (let i = 0; i < 99; i++) expect(await provider.getToken()).toEqual(first)
    const concurrent = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()))
    expect(new Set(concurrent.map((t) => t.accessToken))).toEqual(new Set([first.accessToken]))
    expect(emulator.counters().tokenRequests).toBe(1)
    expect(first.instanceUrl).toBe(emulator.instanceUrl)
  })

  it('shares one request among concurrent first callers', async () => {
    const provider = createTokenProvider(settings)
    const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()))
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1)
    expect(emulator.counters().tokenRequests).toBe(1)
  })

  it('signs an RS256 assertion for the integration user that expires within 3 minutes', async () => {
    const recorder = recordingFetch()
    await createTokenProvider(settings, { fetch: recorder.fetch }).getToken()
    expect(recorder.assertions).toHaveLength(1)
    const decoded = jwt.decode(String(recorder.assertions[0]), { complete: true })
    expect(decoded?.header.alg).toBe('RS256')
    const claims = decoded?.payload as jwt.JwtPayload
    expect(claims).toMatchObject({ iss: consumerKey, sub: username, aud: settings.audience })
    const lifetime = Number(claims.exp) - Math.floor(Date.now() / 1000)
    expect(lifetime).toBeGreaterThan(120)
    expect(lifetime).toBeLessThanOrEqual(180)
  })

  it('invalidates only the token it is told about', async () => {
    const provider = createTokenProvider(settings)
    const first = await provider.getToken()
    provider.invalidate('some-other-token')
    expect(await provider.getToken()).toEqual(first)
    expect(emulator.counters().tokenRequests).toBe(1)

    provider.invalidate(first.accessToken)
    const second = await provider.getToken()
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(emulator.counters().tokenRequests).toBe(2)

    // A caller that still holds the old token must not throw away the new one.
    provider.invalidate(first.accessToken)
    expect(await provider.getToken()).toEqual(second)
    expect(emulator.counters().tokenRequests).toBe(2)
  })

  it("reports Salesforce's refusal as SALESFORCE_AUTH, once per call, and recovers afterwards", async () => {
    const description = "user hasn't approved this consumer"
    emulator.failNextTokenRequests(2, { error: 'invalid_grant', error_description: description })
    const provider = createTokenProvider(settings)

    const failures = await Promise.all(Array.from({ length: 10 }, () => rejectionOf(provider.getToken())))
    for (const err of failures) {
      expect(err).toBeInstanceOf(SalesforceAuthError)
      expect(err).toMatchObject({ code: 'SALESFORCE_AUTH', error: 'invalid_grant' })
      expect(err.message).toBe(
        `Salesforce refused the integration user's token request: invalid_grant (${description})`,
      )
    }
    expect(emulator.counters().tokenRequests).toBe(1)

    await expect(provider.getToken()).rejects.toBeInstanceOf(SalesforceAuthError)
    expect(emulator.counters().tokenRequests).toBe(2)

    await expect(provider.getToken()).resolves.toMatchObject({ instanceUrl: expect.any(String) })
    expect(emulator.counters().tokenRequests).toBe(3)
  })

  it('reports an assertion signed with the wrong key as invalid assertion', async () => {
    const provider = createTokenProvider({ ...settings, privateKey: generateKeyPair().privateKey })
    const err = await rejectionOf(provider.getToken())
    expect(err).toMatchObject({ code: 'SALESFORCE_AUTH', error: 'invalid_grant' })
    expect(err.message).toContain('invalid assertion')
  })

  it('reports a wrong audience as SALESFORCE_AUTH', async () => {
    const provider = createTokenProvider({ ...settings, audience: 'https://example.invalid' })
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'SALESFORCE_AUTH', error: 'invalid_grant' })
  })

  it('reports an unreachable login URL as SALESFORCE_UNAVAILABLE', async () => {
    const closed = await listen(createServer())
    await new Promise((resolve) => closed.server.close(resolve))
    const provider = createTokenProvider({ ...settings, loginUrl: closed.url })
    const err = await rejectionOf(provider.getToken())
    expect(err).toBeInstanceOf(SalesforceUnavailableError)
    expect(err).toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
  })

  it('gives up after timeoutMs when the token endpoint hangs', async () => {
    const sockets: Socket[] = []
    const hung = await listen(createServer((socket) => sockets.push(socket)))
    try {
      const provider = createTokenProvider({ ...settings, loginUrl: hung.url, timeoutMs: 300 })
      const started = Date.now()
      await expect(provider.getToken()).rejects.toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
      expect(Date.now() - started).toBeLessThan(1000)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => hung.server.close(resolve))
    }
  })

  it('gives up after timeoutMs when Salesforce is slow', async () => {
    emulator.setLatency(2000)
    const started = Date.now()
    await expect(createTokenProvider({ ...settings, timeoutMs: 300 }).getToken()).rejects.toMatchObject({
      code: 'SALESFORCE_UNAVAILABLE',
    })
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('never logs the key, the assertion or the access token', async () => {
    const logs = captureLogs()
    const recorder = recordingFetch()
    const provider = createTokenProvider(settings, { fetch: recorder.fetch, logger: logs.logger })
    const token = await provider.getToken()
    emulator.failNextTokenRequests(1, { error: 'invalid_grant', error_description: 'invalid assertion' })
    provider.invalidate(token.accessToken)
    await expect(provider.getToken()).rejects.toBeInstanceOf(SalesforceAuthError)

    const text = logs.text()
    expect(text).toContain('requested Salesforce token')
    expect(text).toContain(new URL(emulator.instanceUrl).host)
    expect(text).not.toContain(token.accessToken)
    for (const assertion of recorder.assertions) expect(text).not.toContain(assertion)
    expect(text).not.toContain('eyJ')
    for (const line of keys.privateKey.split('\n').filter((l) => l && !l.startsWith('-----'))) {
      expect(text).not.toContain(line)
    }
  })
})

async function listen(server: Server): Promise<{ server: Server; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return { server, url: `http://127.0.0.1:${address.port}` }
}

describe('deriveAudience', () => {
  it.each([
    ['https://login.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com/', 'https://login.salesforce.com'],
    ['https://test.salesforce.com', 'https://test.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
    ['http://127.0.0.1:4010/', 'http://127.0.0.1:4010'],
  ])('%s → %s', (loginUrl, audience) => {
    expect(deriveAudience(loginUrl)).toBe(audience)
  })
})
