// Builds the app without listening (on a throwaway in-memory database, never DATABASE_URL or Salesforce) and
// renders the committed contract files: the OpenAPI document and the External Service registration embedding it.
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { REGISTRATION_PATH, renderExternalServiceRegistration } from './registration.js'

export const SPEC_PATH = 'openapi.generated.json'

export interface ContractFile {
  path: string
  content: string
}

const sortKeys = <T extends Record<string, unknown>>(object: T): T =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b))) as T

export async function generateContract(): Promise<ContractFile[]> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent' })
  const app = await buildApp(config, { logger: createLogger('silent') })
  try {
    await app.ready()
    const spec = app.swagger() as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }
    // Paths and schemas sorted by name, so the file does not change when registration order does.
    spec.paths = sortKeys(spec.paths)
    spec.components.schemas = sortKeys(spec.components.schemas)
    const json = `${JSON.stringify(spec, null, 2)}\n`
    return [
      { path: SPEC_PATH, content: json },
      { path: REGISTRATION_PATH, content: renderExternalServiceRegistration(json) },
    ]
  } finally {
    await app.close()
  }
}
