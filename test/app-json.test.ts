// app.json, what the Deploy button and Heroku CI read, describes every variable the service reads.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Environment } from '../src/config.js'

const app = JSON.parse(readFileSync(new URL('../app.json', import.meta.url), 'utf8'))
/** Set by Heroku itself: the platform (PORT, DYNO) or an add-on (DATABASE_URL, REDIS_URL, the AppLink add-on's). */
const setByHeroku = ['PORT', 'DYNO', 'DATABASE_URL', 'REDIS_URL', 'HEROKU_APPLINK_API_URL', 'HEROKU_APPLINK_TOKEN']

describe('app.json', () => {
  it('describes every variable the service reads, except those Heroku sets itself', () => {
    const expected = Object.keys(Environment.properties).filter((name) => !setByHeroku.includes(name))
    expect(Object.keys(app.env).sort()).toEqual(expected.sort())
    for (const [name, variable] of Object.entries(app.env as Record<string, { description?: string }>)) {
      expect([name, (variable.description ?? '').length > 20]).toEqual([name, true])
    }
  })

  it('deploys without demo data, opens the docs, and runs the whole suite on Heroku CI', () => {
    expect(app.env.SEED_DEMO_DATA.value).toBe('false')
    expect(app.env.API_PASSWORD.generator).toBe('secret')
    expect(app.success_url).toBe('/docs')
    expect(app.repository).toMatch(/^https:\/\/github\.com\//)
    expect(app.environments.test.addons).toEqual(['heroku-postgresql:in-dyno', 'heroku-redis:in-dyno'])
    expect(app.environments.test.scripts.test).toMatch(/REQUIRE_POSTGRES=true REQUIRE_REDIS=true npm test$/)
  })

  it('says where npm run salesforce:keys writes the private key, the file the command really writes', () => {
    const tool = readFileSync(new URL('../tools/salesforce-keys.ts', import.meta.url), 'utf8')
    const keyFile = /const KEY_FILE = '([^']+)'/.exec(tool)?.[1] ?? ''
    expect(keyFile).toBe('salesforce/.keys/flowcart-private-key.pem')
    for (const name of ['SF_PRIVATE_KEY', 'SF_PRIVATE_KEY_FILE']) {
      const description: string = app.env[name].description
      expect([name, description]).toEqual([name, expect.stringContaining('npm run salesforce:keys')])
      expect([name, description]).toEqual([name, expect.stringContaining(keyFile)])
      // The command writes the key to a file and never prints it.
      expect([name, description]).toEqual([name, expect.not.stringMatching(/prints/)])
    }
  })
})
