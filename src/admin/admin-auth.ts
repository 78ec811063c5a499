// The admin's login on the admin routes: the same HTTP basic check as the Flow callers' (http/auth.ts: constant-time,
// canonical spelling, failed logins throttled per client), with the admin's credential alone, so a Flow caller's
// login (API_USERNAME's, or an org's org-… login) is a wrong login here. Its failures are counted in a key space of
// their own: an admin's mistyped password never locks out a Named Credential, nor the reverse.
import type { FastifyInstance } from 'fastify'
import { requireBasicAuth } from '../http/auth.js'
import { createLoginThrottle, type LoginThrottle } from '../http/login-throttle.js'
import type { AdminCredentials } from './config.js'

/** Prefixed to every key the admin login counts failures under, in memory and in Redis alike. */
export const ADMIN_THROTTLE_KEYS = 'admin:'

/** The throttle's keys, moved into the admin's own space. */
export const adminKeySpace = (throttle: LoginThrottle): LoginThrottle => ({
  settle: (key, failed) => throttle.settle(`${ADMIN_THROTTLE_KEYS}${key}`, failed),
  close: () => throttle.close(),
})

export async function requireAdminLogin(app: FastifyInstance, credentials: AdminCredentials, redisUrl?: string) {
  const throttle = adminKeySpace(await createLoginThrottle(redisUrl, app.log))
  app.addHook('onClose', () => throttle.close())
  await requireBasicAuth(app, { username: credentials.username, passwords: [credentials.password] }, throttle)
}
