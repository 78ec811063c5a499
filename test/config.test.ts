import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { postgresOptions } from '../src/db/postgres.js'
import { generateKeyPair } from '../tools/salesforce-emulator/index.js'

describe('configuration', () => {
  it('has defaults that run on a bare machine', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      apiUsername: 'flowcart',
      seedDemoData: true,
    })
    expect(config.databaseUrl).toBeUndefined()
    expect(config.apiPasswords[0]).toMatch(/^[\w-]{20,}$/)
    expect(loadConfig({}).apiPasswords[0]).not.toBe(config.apiPasswords[0])
  })

  it('seeds the demo catalog locally, and wherever a platform runs flowcart only when SEED_DEMO_DATA=true', () => {
    const strong = { API_PASSWORD: 'pT7#really-not-trivial-9' }
    expect(loadConfig({}).seedDemoData).toBe(true)
    expect(loadConfig({ DYNO: 'web.1' }).seedDemoData).toBe(false)
    expect(loadConfig({ NODE_ENV: 'production', ...strong }).seedDemoData).toBe(false)
    expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO_DATA: 'true', ...strong }).seedDemoData).toBe(true)
    expect(loadConfig({ SEED_DEMO_DATA: 'false' }).seedDemoData).toBe(false)
  })

  it('listens on loopback by default, on every interface where a platform runs it, and on loopback behind the AppLink mesh', () => {
    const password = { API_PASSWORD: 'a-long-enough-password' }
    const hostOf = (env: Record<string, string>) => loadConfig(env).host
    expect(hostOf({})).toBe('127.0.0.1')
    expect(hostOf({ DYNO: 'web.1' })).toBe('0.0.0.0')
    expect(hostOf({ NODE_ENV: 'production', ...password })).toBe('0.0.0.0')
    expect(hostOf({ HOST: '0.0.0.0' })).toBe('0.0.0.0')
    expect(hostOf({ DYNO: 'web.1', HOST: '::' })).toBe('::')
    // The mesh forwards to 127.0.0.1:$APP_PORT, and only the mesh may reach the app, on a dyno too.
    const appLink = { AUTH_MODE: 'applink', APP_PORT: '3001' }
    expect(hostOf(appLink)).toBe('127.0.0.1')
    expect(hostOf({ ...appLink, DYNO: 'web.1', NODE_ENV: 'production' })).toBe('127.0.0.1')
    expect(loadConfig({ ...appLink, DYNO: 'web.1' }).port).toBe(3001)
  })

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^PORT is invalid/)
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/^PORT is invalid/)
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL is invalid.*sqlite:/)
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL is invalid/)
    expect(() => loadConfig({ SEED_DEMO_DATA: 'yes' })).toThrow(/^SEED_DEMO_DATA is invalid/)
    expect(() => loadConfig({ API_USERNAME: 'flow:cart' })).toThrow(/^API_USERNAME is invalid.*without a colon/)
  })

  it('in production, refuses to start without a strong API_PASSWORD', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^API_PASSWORD must be set to at least 16 characters/)
    expect(() => loadConfig({ NODE_ENV: 'production', API_PASSWORD: 'short' })).toThrow(/API_PASSWORD/)
    const config = loadConfig({
      NODE_ENV: 'production',
      API_PASSWORD: 'a-long-enough-password',
      API_PASSWORD_PREVIOUS: 'the-previous-long-password',
    })
    expect(config.apiPasswords).toEqual(['a-long-enough-password', 'the-previous-long-password'])
    expect(() =>
      loadConfig({ NODE_ENV: 'production', API_PASSWORD: 'a-long-enough-password', API_PASSWORD_PREVIOUS: 'old' }),
    ).toThrow(/^API_PASSWORD_PREVIOUS must be at least 16 characters/)
  })

  it('in production, refuses a long but trivial password, without echoing it', () => {
    const production = (password: string) => () =>
      loadConfig({ NODE_ENV: 'production', API_PASSWORD: password, DATABASE_URL: 'sqlite::memory:' })
    for (const [password, reason] of [
      ['aaaaaaaaaaaaaaaaaaaaaaaa', /only 1 different characters/],
      ['abababababababababababab', /only 2 different characters/],
      ['0123456789abcdef', /runs of consecutive characters/],
      ['zyxwvutsrqponmlkjihgfedcba', /runs of consecutive characters/],
      ['Password1Password1', /repeats the same 9 characters/],
    ] as const) {
      expect(production(password)).toThrow(reason)
      expect(production(password)).toThrow(/^API_PASSWORD is too easy to guess/)
      expect(production(password)).not.toThrow(password)
    }
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        API_PASSWORD: 'kR9v-2mQ_xT7pL4zW8nB',
        API_PASSWORD_PREVIOUS: '1111111111111111',
      }),
    ).toThrow(/^API_PASSWORD_PREVIOUS is too easy to guess/)
    expect(production('kR9v-2mQ_xT7pL4zW8nB')().apiPasswords).toEqual(['kR9v-2mQ_xT7pL4zW8nB'])
    expect(loadConfig({ API_PASSWORD: '0123456789abcdef' }).apiPasswords).toEqual(['0123456789abcdef'])
  })

  it('connects to Heroku Postgres with TLS but without certificate verification, from the URL alone', () => {
    expect(postgresOptions('postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/db').ssl).toEqual({
      rejectUnauthorized: false,
    })
    expect(postgresOptions('postgres://u:p@db.example.com/db?sslmode=require')).toEqual({
      connectionString: 'postgres://u:p@db.example.com/db',
      ssl: { rejectUnauthorized: false },
    })
    expect(postgresOptions('postgres://u:p@db.example.com/db?sslmode=verify-full').ssl).toEqual({
      rejectUnauthorized: true,
    })
    expect(postgresOptions('postgresql://127.0.0.1:5432/test').ssl).toBeUndefined()
  })
})

describe('Salesforce configuration', () => {
  const keys = generateKeyPair()
  const complete = {
    SF_LOGIN_URL: 'https://login.salesforce.com',
    SF_CONSUMER_KEY: '3MVG9.key',
    SF_USERNAME: 'integration@example.com',
    SF_PRIVATE_KEY: keys.privateKey,
  }

  it('is off when no SF_* variable is set', () => {
    expect(loadConfig({}).salesforce).toBeUndefined()
  })

  it('accepts the key as PEM, PEM with literal \\n, or base64, and derives the audience', () => {
    for (const key of [
      keys.privateKey,
      keys.privateKey.replace(/\n/g, '\\n'),
      Buffer.from(keys.privateKey).toString('base64'),
    ]) {
      const config = loadConfig({ ...complete, SF_PRIVATE_KEY: key }).salesforce
      expect(config?.jwt?.privateKey).toContain('BEGIN PRIVATE KEY')
      expect(config).toMatchObject({
        productMatchField: 'ProductCode',
        stockField: 'Qty_In_Stock__c',
        inventoryEvent: 'Inventory_Update__e',
        publishLingerMs: 200,
        jwt: { audience: 'https://login.salesforce.com', apiVersion: '63.0', timeoutMs: 10_000 },
        api: { apiVersion: '63.0', timeoutMs: 10_000 },
      })
    }
    expect(loadConfig({ ...complete, SF_LOGIN_URL: 'https://test.salesforce.com' }).salesforce?.jwt?.audience).toBe(
      'https://test.salesforce.com',
    )
  })

  it('takes the publish linger in ms from 0 to 9999', () => {
    expect(loadConfig({ ...complete, SF_PUBLISH_LINGER_MS: '0' }).salesforce?.publishLingerMs).toBe(0)
    expect(loadConfig({ ...complete, SF_PUBLISH_LINGER_MS: '750' }).salesforce?.publishLingerMs).toBe(750)
    for (const bad of ['-1', '10000', '1e3', '0.5', '07']) {
      expect(() => loadConfig({ ...complete, SF_PUBLISH_LINGER_MS: bad })).toThrow(/^SF_PUBLISH_LINGER_MS is invalid/)
    }
  })

  it('takes SF_PRIVATE_KEY alone as a whole configuration: the key of every registered org, and no default org', () => {
    const salesforce = loadConfig({ SF_PRIVATE_KEY: keys.privateKey, SF_TIMEOUT_MS: '3000' }).salesforce
    expect(salesforce?.jwt).toBeUndefined()
    expect(salesforce?.privateKey).toContain('PRIVATE KEY')
    expect(salesforce?.api.timeoutMs).toBe(3000)
    // With the single-org variables too, the key also signs in to the default org, as before.
    expect(loadConfig(complete).salesforce?.jwt?.privateKey).toBe(salesforce?.privateKey)
    expect(() => loadConfig({ SF_TIMEOUT_MS: '3000' })).toThrow(/also set .*SF_PRIVATE_KEY/)
  })

  it('stops start-up with one line on partial configuration or a bad key, never echoing the key', () => {
    expect(() => loadConfig({ SF_LOGIN_URL: 'https://login.salesforce.com' })).toThrow(
      /^Salesforce is partly configured \(SF_LOGIN_URL set\); also set SF_CONSUMER_KEY, SF_USERNAME, SF_PRIVATE_KEY/,
    )
    const bad = 'not-a-key-but-a-secret-value'
    let message = ''
    try {
      loadConfig({ ...complete, SF_PRIVATE_KEY: bad })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/SF_PRIVATE_KEY/)
    expect(message).not.toContain(bad)
    expect(message.split('\n')).toHaveLength(1)
    expect(() => loadConfig({ ...complete, SF_INVENTORY_EVENT: 'Inventory_Update__c' })).toThrow(
      /^SF_INVENTORY_EVENT is invalid/,
    )
    expect(() => loadConfig({ ...complete, SF_PRODUCT_MATCH_FIELD: "Name' OR Id != '" })).toThrow(
      /^SF_PRODUCT_MATCH_FIELD is invalid/,
    )
  })
})

describe('AppLink mode configuration', () => {
  const addon = { HEROKU_APPLINK_API_URL: 'https://heroku-applink.heroku.com/addons/x', HEROKU_APPLINK_TOKEN: 't' }

  it('turns on with the add-on, listens on APP_PORT on loopback, and needs no password in production', () => {
    const config = loadConfig({ ...addon, PORT: '5000', APP_PORT: '3001', NODE_ENV: 'production' })
    expect(config.appLink).toEqual({ port: 3001, authorization: undefined, trustedOrgOrigins: [] })
    expect([config.port, config.host]).toEqual([3001, '127.0.0.1'])
    expect(config.salesforce).toMatchObject({ jwt: undefined, stockField: 'Qty_In_Stock__c' })
    expect(loadConfig({ ...addon, AUTH_MODE: 'basic' }).appLink).toBeUndefined()
    expect(loadConfig({ AUTH_MODE: 'applink' }).appLink).toEqual({
      port: 3000,
      authorization: undefined,
      trustedOrgOrigins: [],
    })
  })

  it('refuses a public HOST, JWT variables, and an authorization it could not read', () => {
    for (const HOST of ['0.0.0.0', '::1', 'localhost']) expect(() => loadConfig({ ...addon, HOST })).toThrow(/loopback/)
    expect(() => loadConfig({ ...addon, SF_USERNAME: 'someone@example.com' })).toThrow(/^SF_USERNAME: AppLink mode/)
    expect(() => loadConfig({ ...addon, APPLINK_AUTHORIZATION: 'flowcart_events' })).toThrow(/HEROKU_APP_ID/)
    expect(() =>
      loadConfig({ AUTH_MODE: 'applink', APPLINK_AUTHORIZATION: 'flowcart_events', HEROKU_APP_ID: 'a' }),
    ).toThrow(/add-on/)
    expect(() => loadConfig({ ...addon, APPLINK_AUTHORIZATION: 'no spaces' })).toThrow(
      /^APPLINK_AUTHORIZATION is invalid/,
    )
  })

  it('trusts the org origins the operator lists, exactly, and nothing permissive', () => {
    const trusted = (value: string) => loadConfig({ ...addon, APPLINK_TRUSTED_ORG_ORIGINS: value }).appLink
    expect(trusted('https://agency.my.salesforce.mil, http://127.0.0.1:4011,HTTP://[::1]:4012/')).toMatchObject({
      trustedOrgOrigins: ['https://agency.my.salesforce.mil', 'http://127.0.0.1:4011', 'http://[::1]:4012'],
    })
    for (const value of [
      '*',
      'https://*.example.com',
      'http://org.example', // plain http off the machine
      'https://org.example/services',
      'https://user@org.example',
      'https://org.example:443',
      'org.example',
      'https://org.example,',
      'ftp://org.example',
    ]) {
      expect(() => trusted(value), value).toThrow(/^APPLINK_TRUSTED_ORG_ORIGINS is invalid/)
    }
    expect(() => loadConfig({ APPLINK_TRUSTED_ORG_ORIGINS: 'https://org.example' })).toThrow(
      /^APPLINK_TRUSTED_ORG_ORIGINS: basic mode/,
    )
  })
})
