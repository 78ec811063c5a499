// The password a local run uses when API_PASSWORD is not set: generated once and kept in the data folder (next to
// the SQLite file, readable by its owner only), so that the curl line printed yesterday still works today.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { DEFAULT_SQLITE_PATH, describeDatabaseUrl } from './db/connect.js'
import { randomPassword } from './random-password.js'

export interface RememberedPassword {
  password: string
  file: string
}

export function rememberedPassword(databaseUrl: string | undefined): RememberedPassword {
  const { engine, location } = describeDatabaseUrl(databaseUrl)
  const databaseFile = engine === 'sqlite' && location !== ':memory:' ? location : DEFAULT_SQLITE_PATH
  const file = join(dirname(databaseFile), 'api-password')
  try {
    const kept = readFileSync(file, 'utf8').trim()
    if (kept.length >= 16) return { password: kept, file }
  } catch {
    // Not there yet: a first run.
  }
  const password = randomPassword()
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${password}\n`, { mode: 0o600 })
  return { password, file }
}
