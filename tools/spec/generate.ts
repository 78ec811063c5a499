// Builds the app without listening (on a throwaway in-memory database, never DATABASE_URL or Salesforce) and
// renders the committed contract files: the OpenAPI document, the External Service registration embedding it, and
// the AppLink document (the same contract with Heroku AppLink's x-sfdc extensions, src/http/applink-document.ts).
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { REGISTRATION_PATH, renderExternalServiceRegistration } from './registration.js'

export const SPEC_PATH = 'openapi.generated.json'
/** What `heroku salesforce:publish` takes in AppLink mode. */
export const APPLINK_SPEC_PATH = 'openapi.applink.generated.json'

export interface ContractFile {
  path: string
  content: string
}

const sortKeys = <T extends Record<string, unknown>>(object: T): T =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b))) as T

/** The document the app serves in one mode, with paths and schemas sorted by name (registration order may change). */
async function renderDocument(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent', ...env })
  const app = await buildApp(config, { logger: createLogger('silent') })
  try {
    await app.ready()
    const spec = app.swagger() as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }
    spec.paths = sortKeys(spec.paths)
    spec.components.schemas = sortKeys(spec.components.schemas)
    return `${JSON.stringify(spec, null, 2)}\n`
  } finally {
    await app.close()
  }
}

export async function generateContract(): Promise<ContractFile[]> {
  const basic = await renderDocument({})
  // AppLink mode never listens here: APP_PORT only satisfies its configuration.
  const appLink = await renderDocument({ AUTH_MODE: 'applink', APP_PORT: '0' })
  return [
    { path: SPEC_PATH, content: basic },
    { path: REGISTRATION_PATH, content: renderExternalServiceRegistration(basic) },
    { path: APPLINK_SPEC_PATH, content: appLink },
  ]
}
