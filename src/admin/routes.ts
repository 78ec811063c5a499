// GET /admin/orgs (every org's figures, JSON) and GET /admin (the status page), for the admin who runs flowcart, behind
// the admin's own login. Hidden from both contract documents: Flow has no use for them.
//
// In AppLink mode they are registered outside the AppLink-authenticated routes, but the service mesh in front of the
// app refuses a request that carries no org's context before it reaches flowcart, unless its path is listed under
// mesh.authentication.bypassRoutes in the mesh's YAML file at the app's root (heroku/heroku-integration-service-mesh,
// mesh/proxy.go ShouldBypassValidationAuthentication and conf/config.go; README, "Status page", says how and what is
// unconfirmed for the mesh Heroku ships now).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import { requireAdminLogin } from './admin-auth.js'
import type { AdminCredentials } from './config.js'
import { orgChart, orgFigures } from './org-figures.js'
import { AdminOrgs } from './schemas.js'
import { renderStatusPage, STATUS_PAGE_CSP } from './status-page.js'
import type { SyncFigures } from './sync-figures.js'

export interface AdminOptions {
  credentials: AdminCredentials
  db: Kysely<Tables>
  /** Where failed logins are counted for every dyno (REDIS_URL); in this process without it. */
  redisUrl?: string
  /** The publishing side's figures; without it every org shows that it gets no events. */
  syncFigures?: SyncFigures
}

/** Figures of one moment, about every org's business: no cache, shared or private, keeps them. */
const NOT_STORED = { 'cache-control': 'no-store' }

export async function adminRoutes(app: FastifyInstance, { credentials, db, redisUrl, syncFigures }: AdminOptions) {
  await requireAdminLogin(app, credentials, redisUrl)
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.get('/admin/orgs', { schema: { hide: true, response: { 200: AdminOrgs } } }, async (_request, reply) => {
    reply.headers(NOT_STORED)
    return orgFigures(db, syncFigures)
  })

  routes.get('/admin', { schema: { hide: true } }, async (_request, reply) => {
    const now = new Date()
    const orgs = await orgFigures(db, syncFigures, now)
    const charts = []
    // One org after another, like the figures: the admin holds one database connection at a time.
    for (const org of orgs) charts.push(await orgChart(db, org, now))
    return reply
      .headers({
        ...NOT_STORED,
        'content-security-policy': STATUS_PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      })
      .type('text/html; charset=utf-8')
      .send(renderStatusPage(orgs, charts, now))
  })
}
