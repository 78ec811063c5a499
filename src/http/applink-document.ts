// The contract as Heroku AppLink publishes it (heroku salesforce:publish): the same operations and schemas as the
// basic document, plus the x-sfdc extensions, and no security scheme (AppLink's service mesh authenticates). Both
// documents come from the same route schemas: the extensions are written on the routes (config.appLink) and in the
// schemas ('x-sfdc' keywords), kept in this document and taken out of the basic one.
//
// The extensions, from https://devcenter.heroku.com/articles/openapi-spec-heroku-applink:
// - x-sfdc.agent.topic at the document's root: name, classificationDescription, scope, instructions (all required
//   once a topic is defined, and then at least one operation must be an action);
// - x-sfdc.agent.action.publishAsAgentAction on an operation; isUserInput and isDisplayable are placed on the action
//   as in Heroku's own example (heroku-examples/heroku-agentforce-tutorial-java, api-spec.yaml). The Dev Center page
//   describes them as field-level: which placement publish checks needs a real org to confirm;
// - x-sfdc.privacy.isPii on a field holding personal data;
// - x-sfdc.heroku.authorization {externalClientApp, permissionSet} on an operation that needs more than the invoking
//   user's own permissions ("user mode plus"): the permission set is session-activated for the call
//   (heroku-reference-apps/applink-getting-started-python, api-spec.yaml; the names must match
//   --authorization-external-client-app-name and --authorization-permission-set-name of salesforce:publish).

/** How an operation appears to an Agentforce agent. */
export interface AgentAction {
  /** The agent's planner asks the user for the inputs (true), or fills them itself from the conversation (false). */
  isUserInput: boolean
  /** The output is shown to the user as it is. */
  isDisplayable: boolean
}

export interface AppLinkRouteOptions {
  /** Undefined: not offered to agents (Flow and Apex can still call it). */
  agentAction?: AgentAction
  /** The operation writes to Salesforce with the permission set below added to the invoking user's session. */
  elevated?: boolean
}

declare module 'fastify' {
  interface FastifyContextConfig {
    appLink?: AppLinkRouteOptions
  }
}

export const AGENT_TOPIC = {
  name: 'flowcart_shopping',
  classificationDescription:
    "Browses the shop's catalog, checks stock, and places and looks up orders in the flowcart shopping service.",
  scope:
    'Your job is to help a user find products, see whether they are in stock, place an order for them, and tell ' +
    'them about orders already placed. Placing an order reserves its stock; you never set prices or stock levels.',
  instructions: [
    'Before placing an order, confirm with the user every product and quantity, and the email address to send it to.',
    'Use getProducts or getProduct to find a product id; never guess one.',
    'If postOrder answers that a product is out of stock, tell the user how many are left instead of retrying.',
    'Send one idempotencyKey per order the user confirmed, and the same key again if you must retry that order.',
  ],
}

/** What getInventory's Product2 writes need on top of the invoking user's permissions (salesforce/README.md). */
export const ELEVATED_AUTHORIZATION = {
  externalClientApp: 'Flowcart_AppLink',
  permissionSet: 'Flowcart_AppLink_Inventory_Sync',
}

type Json = Record<string, unknown>

/** Removes every x-sfdc extension: the basic document is registered through a Named Credential, not by AppLink. */
export function withoutAppLinkExtensions<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutAppLinkExtensions) as T
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'x-sfdc')
      .map(([key, inner]) => [key, withoutAppLinkExtensions(inner)]),
  ) as T
}

/** The AppLink document from the one @fastify/swagger renders, given each operation's route options. */
export function appLinkDocument(document: Json, optionsByOperation: Map<string, AppLinkRouteOptions>): Json {
  const { security: _security, components, paths, ...rest } = document
  const { securitySchemes: _schemes, ...otherComponents } = (components ?? {}) as Json
  const withExtensions = Object.fromEntries(
    Object.entries((paths ?? {}) as Record<string, Record<string, Json>>).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => {
          const options = optionsByOperation.get(String(operation.operationId)) ?? {}
          const extension = {
            ...(options.agentAction
              ? { agent: { action: { publishAsAgentAction: true, ...options.agentAction } } }
              : {}),
            ...(options.elevated ? { heroku: { authorization: ELEVATED_AUTHORIZATION } } : {}),
          }
          const described = { ...operation, responses: withAppLink401(operation.responses as Json | undefined) }
          return [method, Object.keys(extension).length > 0 ? { ...described, 'x-sfdc': extension } : described]
        }),
      ),
    ]),
  )
  return { ...rest, 'x-sfdc': { agent: { topic: AGENT_TOPIC } }, components: otherComponents, paths: withExtensions }
}

/** A 401 means something else behind the mesh: there is no password, only AppLink's client context. */
function withAppLink401(responses: Json | undefined): Json | undefined {
  const unauthorized = responses?.['401'] as Json | undefined
  if (!responses || !unauthorized) return responses
  const description = 'The request did not come through Heroku AppLink with a client context (code UNAUTHORIZED).'
  return { ...responses, 401: { ...unauthorized, description } }
}
