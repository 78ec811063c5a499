// What a started server tells the person who started it, in a few plain lines: the mode, the database, Salesforce,
// where to find the docs, and which password. Written to stdout by server.ts beside the JSON log lines, not inside
// one: a person reads it (locally, and in `heroku logs`, one log line per line), and it carries no secret, the
// database password masked. The remembered password of a local run is the one secret printed, on its own line.
import type { Config } from './config.js'
import { databaseLocation } from './database-location.js'
import type { RememberedPassword } from './remembered-password.js'

export interface Listening {
  host: string
  port: number
  /** DYNO is set: a person reaches the app through its public URL, not this address. */
  onDyno: boolean
}

const EVERY_INTERFACE = new Set(['0.0.0.0', '::'])

function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

function docsUrl(config: Config, { host, port, onDyno }: Listening): string {
  if (config.publicUrl) return `${config.publicUrl.replace(/\/+$/, '')}/docs`
  if (onDyno && !config.appLink) return "/docs on the app's URL (set PUBLIC_URL to see it here)"
  return `${httpUrl(EVERY_INTERFACE.has(host) ? 'localhost' : host, port)}/docs`
}

/** The registry's orgs are read after start-up; the summary says where they come in. */
const REGISTRY_ORGS = 'npm run orgs -- list'

function salesforceLine(config: Config): string {
  const { salesforce, appLink } = config
  if (appLink) {
    return salesforce?.appLinkAuthorization
      ? `events published through the AppLink authorization ${salesforce.appLinkAuthorization}, and each registered org's own (${REGISTRY_ORGS})`
      : `no default org (APPLINK_AUTHORIZATION is not set); events go to each registered org with its own authorization (${REGISTRY_ORGS})`
  }
  if (!salesforce) return 'sync off (no SF_* variable is set)'
  if (!salesforce.jwt)
    return `no default org (SF_PRIVATE_KEY alone); sync with each registered org's sign-in (${REGISTRY_ORGS})`
  return `sync on, as ${salesforce.jwt.username} through ${salesforce.jwt.loginUrl}, and each registered org's sign-in`
}

function passwordLines(config: Config, port: number, remembered: RememberedPassword | undefined): string[] {
  if (config.appLink) return ['  callers    authenticated by the AppLink service mesh (no password)']
  if (!remembered) return ['  password   API_PASSWORD from the environment']
  return [
    `  password   API_PASSWORD is not set, so flowcart uses the password kept in ${remembered.file}:`,
    `  curl -u ${config.apiUsername}:${remembered.password} http://localhost:${port}/products`,
  ]
}

export function startUpSummary(
  config: Config,
  listening: Listening,
  remembered: RememberedPassword | undefined,
): string {
  const { host, port } = listening
  const where = EVERY_INTERFACE.has(host) ? ' (every interface)' : ''
  const portName = config.appLink ? ' (APP_PORT, behind the service mesh)' : ''
  const lines = [
    `flowcart is up in ${config.appLink ? 'AppLink' : 'basic'} mode`,
    `  listening  ${httpUrl(host, port)}${where}${portName}`,
    `  database   ${databaseLocation(config.databaseUrl)}`,
    `  salesforce ${salesforceLine(config)}`,
    `  docs       ${docsUrl(config, listening)}`,
    ...passwordLines(config, port, remembered),
  ]
  return `\n${lines.join('\n')}\n\n`
}
