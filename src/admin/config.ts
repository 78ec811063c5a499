// The admin surface's own credential: ADMIN_USERNAME and ADMIN_PASSWORD, both or neither. Without them the status
// page and /admin/orgs do not exist (404), so a deployment that never asked for them exposes nothing new.
import { Type } from 'typebox'
import { ConfigError } from '../environment-variables.js'
import { MIN_PRODUCTION_PASSWORD_LENGTH } from '../http/password-policy.js'
import { weaknessOf } from '../weak-password.js'

export const AdminVariables = Type.Object({
  ADMIN_USERNAME: Type.Optional(
    Type.String({
      minLength: 1,
      pattern: '^[^:]+$',
      description: 'User name of the admin status page (/admin), without a colon; set with ADMIN_PASSWORD, or neither.',
    }),
  ),
  ADMIN_PASSWORD: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Password of the admin status page (/admin); set with ADMIN_USERNAME, or neither (the page is off).',
    }),
  ),
})

export interface AdminCredentials {
  username: string
  password: string
}

interface Variables {
  ADMIN_USERNAME?: string
  ADMIN_PASSWORD?: string
  API_USERNAME?: string
  API_PASSWORD?: string
  API_PASSWORD_PREVIOUS?: string
}

/** The admin's credential, or undefined when the admin surface is off; a ConfigError when it is half set or weak. */
export function adminCredentialsOf(vars: Variables, production: boolean): AdminCredentials | undefined {
  const { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } = vars
  if (username === undefined && password === undefined) return undefined
  if (username === undefined || password === undefined) {
    const missing = username === undefined ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD'
    throw new ConfigError(
      `${missing} is missing: the admin status page needs ADMIN_USERNAME and ADMIN_PASSWORD together (unset both to turn it off).`,
    )
  }
  // The same policy as API_PASSWORD (http/password-policy.ts): the page shows every org's business.
  if (production && password.length < MIN_PRODUCTION_PASSWORD_LENGTH) {
    throw new ConfigError(
      `ADMIN_PASSWORD must be at least ${MIN_PRODUCTION_PASSWORD_LENGTH} characters when NODE_ENV=production.`,
    )
  }
  const weakness = production ? weaknessOf(password) : undefined
  if (weakness) throw new ConfigError(`ADMIN_PASSWORD is too easy to guess: ${weakness}. Try: openssl rand -base64 24`)
  // A Flow caller's login must never open the admin surface: a password of theirs is refused as the admin's.
  const flowPasswords = [vars.API_PASSWORD, vars.API_PASSWORD_PREVIOUS].filter((value) => value !== undefined)
  if (flowPasswords.includes(password)) {
    throw new ConfigError(
      'ADMIN_PASSWORD must differ from API_PASSWORD and API_PASSWORD_PREVIOUS: Flow callers know those.',
    )
  }
  return { username, password }
}
