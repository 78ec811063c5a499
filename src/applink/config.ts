// The variables of Heroku AppLink mode: whether it is on, where the app listens behind the service mesh, and which
// AppLink authorization the event publisher uses.
//
// Heroku's documentation (https://devcenter.heroku.com/articles/working-with-heroku-applink) and the service-mesh
// buildpack (https://github.com/heroku/heroku-buildpack-heroku-applink-service-mesh, README) say:
// - the add-on sets HEROKU_APPLINK_API_URL and HEROKU_APPLINK_TOKEN;
// - the Procfile runs the app behind the mesh, `web: APP_PORT=3000 heroku-applink-service-mesh npm start`: the mesh
//   binds $PORT and forwards to http://127.0.0.1:$APP_PORT;
// - @heroku/applink's getAuthorization() also needs HEROKU_APP_ID, which the add-on does not set
//   (heroku/heroku-applink-nodejs, src/add-ons/heroku-applink.ts).
import { type Static, Type } from 'typebox'
import { ConfigError, OneOf } from '../environment-variables.js'
import { exactOrigin } from './org-url.js'

export const AppLinkVariables = Type.Object({
  AUTH_MODE: Type.Optional(
    OneOf(
      ['basic', 'applink'],
      'How callers authenticate: basic (HTTP basic auth, a Named Credential) or applink (the x-client-context of ' +
        "Heroku AppLink's service mesh). Default applink when the AppLink add-on is attached (HEROKU_APPLINK_API_URL is set), basic otherwise.",
    ),
  ),
  HEROKU_APPLINK_API_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'Set by the Heroku AppLink add-on: its API.' }),
  ),
  HEROKU_APPLINK_TOKEN: Type.Optional(
    Type.String({ minLength: 1, description: 'Set by the Heroku AppLink add-on: the token of its API.' }),
  ),
  HEROKU_APP_ID: Type.Optional(
    Type.String({
      minLength: 1,
      description: "The app's UUID, which AppLink's getAuthorization needs (heroku apps:info --json | jq -r .app.id).",
    }),
  ),
  APP_PORT: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,5}$',
      description: 'AppLink mode: the loopback port the service mesh forwards to (default 3000; the mesh has PORT).',
    }),
  ),
  APPLINK_TRUSTED_ORG_ORIGINS: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'AppLink mode: origins, comma-separated, besides https://*.my.salesforce.com, that a client context may name ' +
        'as its org and flowcart sends its token to (https://<host>[:port]; http only on loopback, for an emulator).',
    }),
  ),
  APPLINK_AUTHORIZATION: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_]{2,29}$',
      description:
        'AppLink mode: developer name of the AppLink authorization (heroku salesforce:authorizations:add) the event ' +
        'publisher signs in with; without it no platform event is published.',
    }),
  ),
})
export type AppLinkVariables = Static<typeof AppLinkVariables>

export interface AppLinkConfig {
  /** The loopback port behind the mesh. */
  port: number
  /** The authorization the event publisher uses; undefined publishes no events. */
  authorization: string | undefined
  /** Org origins believed besides Salesforce My Domains (org-url.ts); none by default. */
  trustedOrgOrigins: string[]
}

export const DEFAULT_APP_PORT = 3000
/** Where the mesh forwards: http://127.0.0.1:$APP_PORT (so not ::1, nor localhost, which may resolve to it). */
export const MESH_TARGET_HOST = '127.0.0.1'

/** Undefined in basic mode. */
export function appLinkConfig(vars: AppLinkVariables & { HOST?: string }): AppLinkConfig | undefined {
  const mode = vars.AUTH_MODE ?? (vars.HEROKU_APPLINK_API_URL ? 'applink' : 'basic')
  if (mode === 'basic') {
    if (vars.APPLINK_TRUSTED_ORG_ORIGINS) {
      throw new ConfigError('APPLINK_TRUSTED_ORG_ORIGINS: basic mode reads no client context; unset it.')
    }
    return undefined
  }
  // The mesh is the trust boundary: x-client-context is believed because only the mesh can reach the app.
  if (vars.HOST !== undefined && vars.HOST !== MESH_TARGET_HOST) {
    throw new ConfigError(
      `HOST is invalid: AppLink mode listens on loopback only, ${MESH_TARGET_HOST}, where the service mesh forwards (got ${vars.HOST}).`,
    )
  }
  if (vars.APPLINK_AUTHORIZATION && !vars.HEROKU_APP_ID) {
    throw new ConfigError(
      'APPLINK_AUTHORIZATION needs HEROKU_APP_ID: heroku config:set HEROKU_APP_ID="$(heroku apps:info --json | jq -r .app.id)"',
    )
  }
  if (vars.APPLINK_AUTHORIZATION && !(vars.HEROKU_APPLINK_API_URL && vars.HEROKU_APPLINK_TOKEN)) {
    throw new ConfigError(
      'APPLINK_AUTHORIZATION needs the AppLink add-on (HEROKU_APPLINK_API_URL and HEROKU_APPLINK_TOKEN).',
    )
  }
  return {
    port: Number(vars.APP_PORT ?? DEFAULT_APP_PORT),
    authorization: vars.APPLINK_AUTHORIZATION,
    trustedOrgOrigins: trustedOrgOrigins(vars.APPLINK_TRUSTED_ORG_ORIGINS),
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Each entry exactly an origin: no wildcard, path or user, and plain http only where the token stays on the machine. */
function trustedOrgOrigins(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((entry) => trustedOrgOrigin(entry.trim()))
}

function trustedOrgOrigin(entry: string): string {
  const invalid = (problem: string) => new ConfigError(`APPLINK_TRUSTED_ORG_ORIGINS is invalid: "${entry}" ${problem}.`)
  if (entry.includes('*')) throw invalid('is a wildcard: list each origin')
  const origin = exactOrigin(entry)
  if (origin === undefined) throw invalid('is not an origin: scheme://host[:port], no default port, path or user')
  const { protocol, hostname } = new URL(origin)
  if (protocol !== 'https:' && !(protocol === 'http:' && LOOPBACK_HOSTS.has(hostname))) {
    throw invalid('is not https (plain http only on loopback, for an emulator)')
  }
  return origin
}
