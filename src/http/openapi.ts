// The OpenAPI 3.0 contract, generated from the route schemas: served at /openapi.json, browsable at /docs.
import { existsSync, readFileSync } from 'node:fs'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { type AppLinkRouteOptions, appLinkDocument, withoutAppLinkExtensions } from './applink-document.js'

/** package.json of the project: two levels up from src/http, three from the compiled dist/src/http. */
function readPackageJson(): { version: string; description: string } {
  for (const relative of ['../../package.json', '../../../package.json']) {
    const url = new URL(relative, import.meta.url)
    if (existsSync(url)) return JSON.parse(readFileSync(url, 'utf8'))
  }
  throw new Error('package.json not found above src/http')
}
const pkg = readPackageJson()

export interface OpenApiOptions {
  /** Public base URL; listed in `servers` when set. The committed document is generated without it. */
  publicUrl?: string
  /** Serve the AppLink document (applink-document.ts) instead of the basic one. */
  appLink: boolean
}

export async function registerOpenApi(app: FastifyInstance, { publicUrl, appLink }: OpenApiOptions) {
  // Each operation's AppLink options, as the routes declare them (registered after this).
  const appLinkOptions = new Map<string, AppLinkRouteOptions>()
  app.addHook('onRoute', (route) => {
    const operationId = (route.schema as { operationId?: string } | undefined)?.operationId
    if (operationId && route.config?.appLink) appLinkOptions.set(operationId, route.config.appLink)
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'flowcart', version: pkg.version, description: pkg.description },
      servers: publicUrl ? [{ url: publicUrl }] : [],
      tags: [
        { name: 'Products', description: 'The catalog.' },
        { name: 'Orders', description: 'Placing and reading orders.' },
        { name: 'Inventory', description: 'Stock levels.' },
      ],
      components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } } },
      security: [{ basicAuth: [] }],
    },
    // Components are named after each schema's $id (Product, Order...): they become Apex class names in Flow.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `Schema${index}`) },
    transformObject: (documentObject) => {
      const document = (documentObject as { openapiObject: Record<string, unknown> }).openapiObject
      return appLink ? appLinkDocument(document, appLinkOptions) : withoutAppLinkExtensions(document)
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The operation ids are the names Flow Builder shows for the actions.
    uiConfig: { displayOperationId: true },
    theme: { title: 'flowcart API' },
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
