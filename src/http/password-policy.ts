// What a production basic-auth password must be: long enough and not trivial. Checked once at start-up with the
// rest of the environment (config.ts); the passwords it lets through are the ones auth.ts compares against.
import { ConfigError } from '../environment-variables.js'
import { weaknessOf } from '../weak-password.js'

export const MIN_PRODUCTION_PASSWORD_LENGTH = 16

export interface PasswordVariables {
  API_PASSWORD?: string
  API_PASSWORD_PREVIOUS?: string
}

/** Throws a ConfigError naming the variable whose password is too short or too easy to guess. */
export function checkProductionPasswords(vars: PasswordVariables): void {
  if ((vars.API_PASSWORD ?? '').length < MIN_PRODUCTION_PASSWORD_LENGTH) {
    throw new ConfigError(
      `API_PASSWORD must be set to at least ${MIN_PRODUCTION_PASSWORD_LENGTH} characters when NODE_ENV=production.`,
    )
  }
  if (vars.API_PASSWORD_PREVIOUS !== undefined && vars.API_PASSWORD_PREVIOUS.length < MIN_PRODUCTION_PASSWORD_LENGTH) {
    throw new ConfigError(
      `API_PASSWORD_PREVIOUS must be at least ${MIN_PRODUCTION_PASSWORD_LENGTH} characters when NODE_ENV=production (or unset).`,
    )
  }
  for (const name of ['API_PASSWORD', 'API_PASSWORD_PREVIOUS'] as const) {
    const weakness = vars[name] === undefined ? undefined : weaknessOf(vars[name])
    if (weakness) throw new ConfigError(`${name} is too easy to guess: ${weakness}. Try: openssl rand -base64 24`)
  }
}
