// What `heroku salesforce:publish` needs of the AppLink document's x-sfdc extensions
// (https://devcenter.heroku.com/articles/openapi-spec-heroku-applink). Checked only on a document that has them.
import type { Finding } from './types.js'
import { type Context, isObject, pointerTo } from './walk.js'

type Json = Record<string, unknown>
const extensionOf = (node: unknown): Json | undefined =>
  isObject(node) && isObject(node['x-sfdc']) ? node['x-sfdc'] : undefined
const topicOf = (doc: unknown) => {
  const agent = extensionOf(doc)?.agent
  return isObject(agent) && isObject(agent.topic) ? agent.topic : undefined
}
const actionOf = (operation: unknown) => {
  const agent = extensionOf(operation)?.agent
  return isObject(agent) && isObject(agent.action) ? agent.action : undefined
}

/** True when the document carries AppLink's extensions at its root (the AppLink document). */
export const hasAppLinkExtensions = (ctx: Context) => extensionOf(ctx.doc) !== undefined

export function agentTopic({ doc }: Context): Finding[] {
  const topic = topicOf(doc)
  const pointer = '/x-sfdc/agent/topic'
  if (!topic)
    return [{ pointer, message: 'no agent topic', fix: 'add x-sfdc.agent.topic, or drop x-sfdc from the root' }]
  const findings: Finding[] = []
  for (const field of ['name', 'classificationDescription', 'scope']) {
    if (typeof topic[field] !== 'string' || topic[field] === '') {
      findings.push({
        pointer: `${pointer}/${field}`,
        message: `topic ${field} is missing`,
        fix: `give the topic a ${field}`,
      })
    }
  }
  if (typeof topic.name === 'string' && !/^[a-z][a-z0-9_]*$/.test(topic.name)) {
    findings.push({
      pointer: `${pointer}/name`,
      message: 'topic name is not snake case',
      fix: 'use e.g. flowcart_shopping',
    })
  }
  const instructions = topic.instructions
  if (!Array.isArray(instructions) || instructions.length === 0 || !instructions.every((i) => typeof i === 'string')) {
    findings.push({
      pointer: `${pointer}/instructions`,
      message: 'no instructions',
      fix: 'list instructions as strings',
    })
  }
  return findings
}

export function agentActions(ctx: Context): Finding[] {
  const actions = ctx.operations.filter((op) => actionOf(op.node)?.publishAsAgentAction === true)
  if (topicOf(ctx.doc) && actions.length === 0) {
    return [{ pointer: '/paths', message: 'a topic without actions', fix: 'mark an operation publishAsAgentAction' }]
  }
  return actions.flatMap((op) => {
    const action = actionOf(op.node) as Json
    return ['isUserInput', 'isDisplayable']
      .filter((flag) => typeof action[flag] !== 'boolean')
      .map((flag) => ({
        pointer: pointerTo(op.pointer, 'x-sfdc', 'agent', 'action', flag),
        message: `agent action without ${flag}`,
        fix: `set ${flag} to true or false`,
      }))
  })
}

export function herokuAuthorization(ctx: Context): Finding[] {
  return ctx.operations.flatMap((op) => {
    const heroku = extensionOf(op.node)?.heroku
    if (!isObject(heroku) || heroku.authorization === undefined) return []
    const pointer = pointerTo(op.pointer, 'x-sfdc', 'heroku', 'authorization')
    const authorization = isObject(heroku.authorization) ? heroku.authorization : {}
    const findings: Finding[] = []
    if (typeof authorization.permissionSet !== 'string') {
      findings.push({ pointer, message: 'no permissionSet', fix: 'name the permission set to session-activate' })
    }
    // New Connected Apps cannot be created since Spring '26 (https://devcenter.heroku.com/articles/heroku-applink-eca).
    if (typeof authorization.externalClientApp !== 'string') {
      findings.push({
        pointer,
        message: 'no externalClientApp',
        fix: 'name the External Client App (not connectedApp)',
      })
    }
    return findings
  })
}
