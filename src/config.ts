// The environment as one TypeBox schema, validated once at start-up; a bad variable stops start-up with one line.
// The SF_* variables are Salesforce's own (salesforce/config.ts); the HTTP_* limits and the production password policy
// are checked beside the HTTP code that uses them (http/limits-config.ts, http/password-policy.ts).
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import { type AdminCredentials, AdminVariables, adminCredentialsOf } from './admin/config.js'
import { type AppLinkConfig, AppLinkVariables, appLinkConfig, MESH_TARGET_HOST } from './applink/config.js'
import { type CatalogSyncConfig, CatalogSyncVariables, catalogSyncConfig } from './catalog-sync/config.js'
import { DEFAULT_POOL_SIZE } from './db/connect.js'
import { ConfigError, Count, OneOf } from './environment-variables.js'
import { type HttpLimits, HttpLimitsVariables, httpLimitsOf } from './http/limits-config.js'
import { checkProductionPasswords } from './http/password-policy.js'
import { randomPassword } from './random-password.js'
import {
  appLinkSalesforceConfig,
  type SalesforceConfig,
  SalesforceVariables,
  salesforceConfig,
} from './salesforce/config.js'

export const Environment = Type.Object({
  NODE_ENV: Type.Optional(Type.String({ description: 'production enforces a strong API_PASSWORD.' })),
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$', description: 'TCP port to listen on (default 3000).' })),
  HOST: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Interface to listen on (default 127.0.0.1; 0.0.0.0 where a platform runs it, DYNO set or NODE_ENV=production; AppLink mode: 127.0.0.1 only).',
    }),
  ),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^(sqlite:.+|postgres(ql)?://.+)$',
      description: 'sqlite:<path>, sqlite::memory: or postgres://… (default sqlite:./data/flowcart.db).',
    }),
  ),
  DATABASE_POOL_SIZE: Count('PostgreSQL connections each process may open', DEFAULT_POOL_SIZE),
  ...HttpLimitsVariables.properties,
  API_USERNAME: Type.Optional(
    Type.String({
      minLength: 1,
      pattern: '^[^:]+$',
      description: 'Basic-auth user name (default flowcart), without a colon: basic auth splits on it.',
    }),
  ),
  API_PASSWORD: Type.Optional(Type.String({ minLength: 1, description: 'Basic-auth password.' })),
  API_PASSWORD_PREVIOUS: Type.Optional(
    Type.String({ minLength: 1, description: 'Previous password, still accepted while clients rotate.' }),
  ),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: '^rediss?://.+',
      description: 'Redis (Heroku Key-Value Store) that counts failed logins for every dyno; in memory without it.',
    }),
  ),
  LOG_LEVEL: Type.Optional(
    OneOf(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'pino log level: fatal, error, warn, info, debug, trace or silent (default info).',
    ),
  ),
  SEED_DEMO_DATA: Type.Optional(
    OneOf(
      ['true', 'false'],
      'Seed the demo catalog into an empty database (true or false; default true locally, false where a platform runs flowcart: DYNO set or NODE_ENV=production).',
    ),
  ),
  TRUST_PROXY: Type.Optional(
    OneOf(
      ['true', 'false'],
      "Take the client's address and protocol from X-Forwarded-For and X-Forwarded-Proto (true or false; default true on Heroku, where DYNO is set, false elsewhere).",
    ),
  ),
  DYNO: Type.Optional(Type.String({ description: "Set by Heroku on every dyno: Heroku's router is in front." })),
  PUBLIC_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'Public base URL, for the OpenAPI servers list.' }),
  ),
  ...SalesforceVariables.properties,
  ...CatalogSyncVariables.properties,
  ...AppLinkVariables.properties,
  ...AdminVariables.properties,
})
export type Environment = Static<typeof Environment>

export interface Config {
  port: number
  host: string
  http: HttpLimits
  databaseUrl: string | undefined
  databasePoolSize: number
  apiUsername: string
  /** The current password first; a previous one while it is being rotated out. */
  apiPasswords: string[]
  logLevel: NonNullable<Environment['LOG_LEVEL']>
  seedDemoData: boolean
  /** Where failed logins are counted for every dyno; undefined counts them in this process. */
  redisUrl: string | undefined
  /** A proxy in front (Heroku's router) sets X-Forwarded-*: the client's IP and protocol are read from them. */
  trustProxy: boolean
  publicUrl: string | undefined
  production: boolean
  /** Undefined when no SF_* variable is set in basic mode: Salesforce sync is then disabled. Always set in AppLink mode. */
  salesforce: SalesforceConfig | undefined
  /** Set when the catalog follows Salesforce (SF_CATALOG_FROM_SALESFORCE=true). */
  catalogSync: CatalogSyncConfig | undefined
  /** Set in AppLink mode (callers authenticate by x-client-context); undefined in basic mode. */
  appLink: AppLinkConfig | undefined
  /** The admin status page's own login (ADMIN_USERNAME, ADMIN_PASSWORD); undefined: the page is off. */
  admin: AdminCredentials | undefined
}

export interface ConfigOptions {
  /** The password of a run without API_PASSWORD (never in production); a new random one by default. */
  passwordWhenUnset?: (databaseUrl: string | undefined) => string
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  { passwordWhenUnset = randomPassword }: ConfigOptions = {},
): Config {
  const known = Object.fromEntries(
    Object.keys(Environment.properties).flatMap((name) =>
      env[name] === undefined || env[name] === '' ? [] : [[name, env[name]]],
    ),
  )
  const [problem] = Value.Errors(Environment, known)
  if (problem) {
    const name = problem.instancePath.replace(/^\//, '')
    const description =
      (Environment.properties[name as keyof Environment] as { description?: string } | undefined)?.description ?? ''
    throw new ConfigError(`${name} is invalid: ${problem.message}. Expected: ${description}`)
  }
  const vars = known as Environment
  const appLink = appLinkConfig(vars)
  // Behind AppLink's service mesh, PORT is the mesh's; the app listens on APP_PORT, on loopback.
  const port = appLink ? appLink.port : Number(vars.PORT ?? 3000)
  if (port > 65_535) {
    const name = appLink ? 'APP_PORT' : 'PORT'
    throw new ConfigError(`${name} is invalid: ${port} is not between 0 (any free port) and 65535.`)
  }

  const http = httpLimitsOf(vars)

  const production = vars.NODE_ENV === 'production'
  // AppLink mode has no password: the service mesh authenticates every caller.
  if (production && !appLink) checkProductionPasswords(vars)
  // Nothing asks for a password in AppLink mode, so none is kept or printed.
  const password = vars.API_PASSWORD ?? (appLink ? randomPassword() : passwordWhenUnset(vars.DATABASE_URL))

  const salesforce = appLink ? appLinkSalesforceConfig(vars, appLink.authorization) : salesforceConfig(vars)
  const catalogSync = catalogSyncConfig(vars, salesforce)
  return {
    port,
    host: vars.HOST ?? defaultHost(vars, appLink),
    http,
    databaseUrl: vars.DATABASE_URL,
    databasePoolSize: Number(vars.DATABASE_POOL_SIZE ?? DEFAULT_POOL_SIZE),
    apiUsername: vars.API_USERNAME ?? 'flowcart',
    apiPasswords: [password, ...(vars.API_PASSWORD_PREVIOUS ? [vars.API_PASSWORD_PREVIOUS] : [])],
    logLevel: vars.LOG_LEVEL ?? 'info',
    // A deployed flowcart starts with an empty catalog whichever way it was deployed (the button sets false too).
    // The demo catalog is never seeded into a catalog that Salesforce fills.
    seedDemoData:
      !catalogSync &&
      (vars.SEED_DEMO_DATA === undefined ? !(production || vars.DYNO !== undefined) : vars.SEED_DEMO_DATA === 'true'),
    redisUrl: vars.REDIS_URL,
    trustProxy: vars.TRUST_PROXY === undefined ? vars.DYNO !== undefined : vars.TRUST_PROXY === 'true',
    publicUrl: vars.PUBLIC_URL,
    production,
    salesforce,
    catalogSync,
    appLink,
    admin: adminCredentialsOf(vars, production),
  }
}

/** Stock changes become platform events when flowcart can sign in on its own: JWT bearer, or AppLink authorization. */
/**
 * Where to listen without HOST. AppLink mode: on loopback, where the service mesh forwards; the mesh alone takes
 * outside traffic (on $PORT), and x-client-context is believed because nothing else can reach the app
 * (https://github.com/heroku/heroku-applink-service-mesh, README). Basic mode on a platform, a dyno (DYNO) or a
 * production run: every interface: Heroku's router reaches the dyno from outside, and a web
 * process bound to localhost fails to boot with R10 (https://help.heroku.com/P1AVPANS). Anywhere else: loopback, so
 * a laptop's service is not open to its network by default; HOST=0.0.0.0 opens it.
 */
function defaultHost(vars: Environment, appLink: AppLinkConfig | undefined): string {
  if (appLink) return MESH_TARGET_HOST
  return vars.DYNO !== undefined || vars.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'
}
