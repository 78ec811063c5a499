import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { postgresOptions } from '../src/store/connect.js'

describe('configuration', () => {
  it('has defaults that run on a bare machine', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      apiUsername: 'flowcart',
      seedDemoData: true,
      generatedPassword: true,
    })
    expect(config.databaseUrl).toBeUndefined()
    expect(config.apiPasswords[0]).toMatch(/^[\w-]{20,}$/)
    expect(loadConfig({}).apiPasswords[0]).not.toBe(config.apiPasswords[0])
  })

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^PORT is invalid/)
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/^PORT is invalid/)
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL is invalid.*sqlite:/)
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL is invalid/)
    expect(() => loadConfig({ SEED_DEMO_DATA: 'yes' })).toThrow(/^SEED_DEMO_DATA is invalid/)
  })

  it('in production, refuses to start without a strong API_PASSWORD', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^API_PASSWORD must be set to at least 16 characters/)
    expect(() => loadConfig({ NODE_ENV: 'production', API_PASSWORD: 'short' })).toThrow(/API_PASSWORD/)
    const config = loadConfig({
      NODE_ENV: 'production',
      API_PASSWORD: 'a-long-enough-password',
      API_PASSWORD_PREVIOUS: 'old',
    })
    expect(config.apiPasswords).toEqual(['a-long-enough-password', 'old'])
    expect(config.generatedPassword).toBe(false)
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
