// The AppLink document: the basic contract plus Heroku AppLink's x-sfdc extensions, from the same route schemas.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AGENT_TOPIC, ELEVATED_AUTHORIZATION, withoutAppLinkExtensions } from '../src/http/applink-document.js'
import { type LintFailure, lintSpec, type OpenApiDocument } from '../tools/spec/lint-rules.js'
import { buildTestApp } from './helper.js'

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'))
const basic = read('openapi.generated.json')
const appLink = read('openapi.applink.generated.json')
const operations = (document: { paths: Record<string, Record<string, { operationId: string }>> }) =>
  Object.values(document.paths).flatMap((byMethod) => Object.values(byMethod))
const rules = (failures: LintFailure[]) => failures.map((failure) => failure.rule)

describe('the AppLink document', () => {
  it('has the same operations and schemas as the basic one, and no security scheme: the mesh authenticates', () => {
    const {
      security,
      components,
      paths,
      'x-sfdc': _topic,
      ...rest
    } = withoutAppLinkExtensions(appLink) as typeof appLink
    const { security: _s, components: basicComponents, paths: basicPaths, ...basicRest } = basic
    expect(security).toBeUndefined()
    expect(components.securitySchemes).toBeUndefined()
    expect(components.schemas).toEqual(basicComponents.schemas)
    expect(rest).toEqual(basicRest)
    // Only what a 401 means differs: no password behind the mesh.
    const with401 = (document: typeof basic, description: string) =>
      JSON.parse(JSON.stringify(document.paths).replaceAll(description, '401'))
    expect(with401({ paths } as typeof basic, appLink.paths['/orders'].post.responses['401'].description)).toEqual(
      with401({ paths: basicPaths } as typeof basic, basic.paths['/orders'].post.responses['401'].description),
    )
    expect(appLink.paths['/orders'].post.responses['401'].description).toMatch(/Heroku AppLink/)
    expect(JSON.stringify(basic)).not.toContain('x-sfdc')
  })

  it('describes a topic, offers every operation but setInventory to agents, and marks the email as PII', () => {
    expect(appLink['x-sfdc']).toEqual({ agent: { topic: AGENT_TOPIC } })
    const actions = operations(appLink)
      .filter((operation) => (operation as { 'x-sfdc'?: { agent?: unknown } })['x-sfdc']?.agent)
      .map((operation) => operation.operationId)
    expect(actions.sort()).toEqual(['getInventory', 'getOrder', 'getOrders', 'getProduct', 'getProducts', 'postOrder'])
    expect(appLink.paths['/orders'].post['x-sfdc'].agent.action).toEqual({
      publishAsAgentAction: true,
      isUserInput: true,
      isDisplayable: true,
    })
    expect(appLink.paths['/inventory'].get['x-sfdc'].heroku.authorization).toEqual(ELEVATED_AUTHORIZATION)
    expect(appLink.components.schemas.OrderInput.properties.customerEmail['x-sfdc']).toEqual({
      privacy: { isPii: true },
    })
  })

  it('is what the app serves in AppLink mode, and the basic one what it serves in basic mode', async () => {
    for (const [env, committed] of [
      [{}, basic],
      [{ AUTH_MODE: 'applink', APP_PORT: '0' }, appLink],
    ] as const) {
      const app = await buildTestApp('sqlite', env)
      // toEqual ignores the order of keys, which the committed files sort.
      expect((await app.inject({ url: '/openapi.json' })).json()).toEqual(committed)
    }
  })

  it('passes the lint, which catches a missing topic field, an action without its flags and a Connected App', () => {
    expect(lintSpec(appLink)).toEqual([])
    const broken = structuredClone(appLink) as OpenApiDocument & typeof appLink
    broken['x-sfdc'].agent.topic.instructions = []
    broken['x-sfdc'].agent.topic.name = 'Flowcart Shopping'
    delete broken.paths['/orders'].post['x-sfdc'].agent.action.isUserInput
    broken.paths['/inventory'].get['x-sfdc'].heroku.authorization = { connectedApp: 'Old', permissionSet: 'P' }
    expect(rules(lintSpec(broken)).sort()).toEqual([
      'applink-agent-actions',
      'applink-agent-topic',
      'applink-agent-topic',
      'applink-authorization',
    ])
  })
})
