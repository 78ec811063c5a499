// Checks Salesforce Flow metadata against the OpenAPI contract Flow calls it with: every External Service action,
// input, output and Apex-defined field a flow uses must exist in the contract. Used by test/salesforce-flows.test.ts.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser } from 'fast-xml-parser'
import { DEFAULT_INVENTORY_EVENT, PRODUCT_OBJECT } from '../../src/salesforce/names.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const METADATA = join(ROOT, 'salesforce/force-app/main/default')
export const FLOWS_DIR = join(METADATA, 'flows')
const REGISTRATION = 'Flowcart'
// External Services names the Apex-defined type of a component schema ExternalService__<registration>_<schema>.
export const APEX_PREFIX = `ExternalService__${REGISTRATION}_`

export type Node = { [key: string]: unknown }
export interface Schema {
  $ref?: string
  type?: string
  items?: Schema
  properties?: Record<string, Schema>
  minimum?: number
  maximum?: number
}
interface Operation {
  operationId: string
  parameters?: { name: string; in: string; schema?: Schema }[]
  requestBody?: { content: Record<string, { schema: Schema }> }
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>
}
export interface Contract {
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, Schema> }
}
export interface ParsedFlow {
  name: string
  xml: string
  root: Node
}

// Elements Flow repeats are always arrays; values stay strings as written ("200.0", "false"); comments are dropped.
const REPEATED = new Set([
  'actionCalls',
  'assignmentItems',
  'assignments',
  'choiceReferences',
  'conditions',
  'decisions',
  'dynamicChoiceSets',
  'fields',
  'filters',
  'inputAssignments',
  'inputParameters',
  'outputParameters',
  'processMetadataValues',
  'recordUpdates',
  'rules',
  'screens',
  'textTemplates',
  'variables',
])
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => REPEATED.has(name) })

export function readFlows(): ParsedFlow[] {
  return readdirSync(FLOWS_DIR)
    .filter((file) => file.endsWith('.flow-meta.xml'))
    .sort()
    .map((file) => {
      const xml = readFileSync(join(FLOWS_DIR, file), 'utf8')
      return { name: file.replace(/\.flow-meta\.xml$/, ''), xml, root: (parser.parse(xml) as Node).Flow as Node }
    })
}

export const nodes = (node: Node | undefined, key: string) => (node?.[key] as Node[] | undefined) ?? []
export const child = (node: Node | undefined, key: string) => node?.[key] as Node | undefined
export const text = (node: Node | undefined, key: string) => node?.[key] as string | undefined
const fieldNames = (dir: string) =>
  new Set(readdirSync(join(METADATA, dir)).map((file) => file.replace(/\.field-meta\.xml$/, '')))

// The fields the org really has: the event's, and the custom ones on Product2 (standard fields such as ProductCode are
// not in the repository).
export const EVENT_FIELDS = fieldNames(`objects/${DEFAULT_INVENTORY_EVENT}/fields`)
const PRODUCT2_CUSTOM_FIELDS = fieldNames(`objects/${PRODUCT_OBJECT}/fields`)

export function operationsOf(contract: Contract): Map<string, Operation> {
  const operations = new Map<string, Operation>()
  for (const item of Object.values(contract.paths)) {
    for (const value of Object.values(item)) {
      const operation = value as Operation
      if (typeof operation?.operationId === 'string') operations.set(operation.operationId, operation)
    }
  }
  return operations
}

const refName = (schema: Schema | undefined) => schema?.$ref?.replace('#/components/schemas/', '')

/** An Apex-defined type of the registration: a component schema, or a collection of one. */
type ApexType = { component: string; collection: boolean }

/** The Apex-defined type Flow gives a schema. Primitives have none. */
function apexTypeOf(schema: Schema | undefined): ApexType | undefined {
  const single = refName(schema)
  if (single) return { component: single, collection: false }
  const item = schema?.type === 'array' ? refName(schema.items) : undefined
  return item ? { component: item, collection: true } : undefined
}

const jsonSchema = (content: Record<string, { schema: Schema }> | undefined) => content?.['application/json']?.schema

/** Why `path` can't be read from `component`, or undefined when every segment is a property. */
function pathProblem(contract: Contract, component: string, path: string[]): string | undefined {
  let schema: Schema | undefined = contract.components.schemas[component]
  let at = component
  for (const [index, segment] of path.entries()) {
    if (!schema) return `${at} is not a schema of the contract`
    const property: Schema | undefined = schema.properties?.[segment]
    if (!property) return `${at} has no property ${segment}`
    at = `${at}.${segment}`
    // Flow can't index a list: a collection is only assigned or handed on whole, so it must end the path.
    if (property.type === 'array' && index < path.length - 1) return `${at} is a list and can't be read through`
    const next = refName(property)
    schema = next ? contract.components.schemas[next] : property
    if (next) at = next
  }
  return undefined
}

/** Every reference in the flow: reference elements, and merge fields in any text ({!placedOrder.totalPrice}). */
function referencesIn(value: unknown, found: string[] = [], key = ''): string[] {
  if (typeof value === 'string') {
    if (['elementReference', 'assignToReference', 'leftValueReference', 'collectionReference'].includes(key)) {
      found.push(value)
    }
    for (const match of value.matchAll(/\{!([^}]+)\}/g)) found.push((match[1] ?? '').trim())
  } else if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found, key)
  } else if (value && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) referencesIn(item, found, name)
  }
  return found
}

export const ELEMENT_KINDS = ['actionCalls', 'assignments', 'decisions', 'recordUpdates', 'screens']

/** What the checks of one flow share: its variables, its External Service actions, and where problems go. */
interface Scope {
  root: Node
  contract: Contract
  variables: Map<string, Node>
  /** Action element name → its operation. */
  actions: Map<string, Operation>
  /** Variable that receives an action's responseCode → that action's operation. */
  statusVariables: Map<string, Operation>
  report: (where: string, what: string) => void
}

function flowcartTypeOf(scope: Scope, name: string): ApexType | undefined {
  const variable = scope.variables.get(name)
  const apexClass = text(variable, 'apexClass')
  if (!apexClass?.startsWith(APEX_PREFIX)) return undefined
  return { component: apexClass.slice(APEX_PREFIX.length), collection: text(variable, 'isCollection') === 'true' }
}

function expectType(scope: Scope, where: string, name: string, expected: ApexType | undefined) {
  if (!expected) return
  const actual = flowcartTypeOf(scope, name)
  if (actual?.component !== expected.component || actual.collection !== expected.collection) {
    scope.report(
      where,
      `${name} must be ${expected.collection ? 'a collection of ' : ''}${APEX_PREFIX}${expected.component}`,
    )
  }
}

function checkApexVariables(scope: Scope) {
  for (const [name, variable] of scope.variables) {
    const apexClass = text(variable, 'apexClass')
    if (apexClass === undefined) continue
    if (!apexClass.startsWith(APEX_PREFIX)) {
      scope.report(`variable ${name}`, `${apexClass} is not a ${REGISTRATION} type`)
    } else if (!scope.contract.components.schemas[apexClass.slice(APEX_PREFIX.length)]) {
      scope.report(`variable ${name}`, `${apexClass} names no component schema of the contract`)
    }
  }
}

/** actionName, inputs and outputs of every External Service action; fills scope.actions and scope.statusVariables. */
function checkActions(scope: Scope, operations: Map<string, Operation>) {
  for (const action of nodes(scope.root, 'actionCalls')) {
    if (text(action, 'actionType') !== 'externalService') continue
    const name = text(action, 'name') ?? ''
    const actionName = text(action, 'actionName') ?? ''
    const operationId = actionName.startsWith(`${REGISTRATION}.`) ? actionName.slice(REGISTRATION.length + 1) : ''
    const operation = operations.get(operationId)
    if (!operation) {
      scope.report(name, `${actionName} is not ${REGISTRATION}.<operationId> of an operation in the contract`)
      continue
    }
    scope.actions.set(name, operation)
    checkInputs(scope, action, operation)
    checkOutputs(scope, action, operation)
  }
}

function checkInputs(scope: Scope, action: Node, operation: Operation) {
  const name = text(action, 'name')
  // Path, query and header parameters appear under their OpenAPI names; a JSON request body is the input body.
  const parameters = new Set((operation.parameters ?? []).map((parameter) => parameter.name))
  for (const input of nodes(action, 'inputParameters')) {
    const inputName = text(input, 'name') ?? ''
    if (inputName === 'body' && operation.requestBody) {
      const variable = text(child(input, 'value'), 'elementReference') ?? ''
      expectType(scope, `${name} input body`, variable, apexTypeOf(jsonSchema(operation.requestBody.content)))
    } else if (!parameters.has(inputName)) {
      scope.report(`${name}`, `input ${inputName} is not a parameter of ${operation.operationId}`)
    }
  }
}

function checkOutputs(scope: Scope, action: Node, operation: Operation) {
  const name = text(action, 'name')
  for (const output of nodes(action, 'outputParameters')) {
    const outputName = text(output, 'name') ?? ''
    const target = text(output, 'assignToReference') ?? ''
    const response = operation.responses[outputName]
    if (outputName === 'responseCode') {
      scope.statusVariables.set(target, operation)
      if (text(scope.variables.get(target), 'dataType') !== 'Number') {
        scope.report(`${name}`, `responseCode goes to ${target}, not a Number variable`)
      }
    } else if (!response) {
      scope.report(`${name}`, `output ${outputName} is not a status ${operation.operationId} declares`)
    } else {
      expectType(scope, `${name} output ${outputName}`, target, apexTypeOf(jsonSchema(response.content)))
    }
  }
}

/** A Decision on a responseCode variable may only compare it with a status the operation declares. */
function checkStatusDecisions(scope: Scope) {
  for (const decision of nodes(scope.root, 'decisions')) {
    for (const condition of nodes(decision, 'rules').flatMap((rule) => nodes(rule, 'conditions'))) {
      const operation = scope.statusVariables.get(text(condition, 'leftValueReference') ?? '')
      const status = Number(text(child(condition, 'rightValue'), 'numberValue'))
      if (operation && Number.isFinite(status) && !operation.responses[String(status)]) {
        scope.report(`decision ${text(decision, 'name')}`, `${operation.operationId} declares no status ${status}`)
      }
    }
  }
}

function checkChoiceSets(scope: Scope) {
  for (const choices of nodes(scope.root, 'dynamicChoiceSets')) {
    const where = `choice set ${text(choices, 'name')}`
    const collection = flowcartTypeOf(scope, text(choices, 'collectionReference') ?? '')
    if (!collection?.collection) {
      scope.report(where, `collectionReference must be a collection of a ${REGISTRATION} type`)
      continue
    }
    // Flow Builder writes the collection's Apex class as object (see the comment in Flowcart_Place_Order).
    if (text(choices, 'object') !== `${APEX_PREFIX}${collection.component}`) {
      scope.report(where, `object must be ${APEX_PREFIX}${collection.component}`)
    }
    for (const field of [text(choices, 'displayField'), text(choices, 'valueField')]) {
      const problem = field === undefined ? undefined : pathProblem(scope.contract, collection.component, [field])
      if (problem) scope.report(where, problem)
    }
  }
}

function checkProductUpdates(scope: Scope) {
  for (const update of nodes(scope.root, 'recordUpdates')) {
    if (text(update, 'object') !== PRODUCT_OBJECT) continue
    for (const item of [...nodes(update, 'filters'), ...nodes(update, 'inputAssignments')]) {
      const field = text(item, 'field') ?? ''
      if (field.endsWith('__c') && !PRODUCT2_CUSTOM_FIELDS.has(field)) {
        scope.report(`${text(update, 'name')}`, `${PRODUCT_OBJECT} has no field ${field}`)
      }
    }
  }
}

/** Why one reference (placedOrder.totalPrice, Post_Order.201, $Record.SKU__c) can't be read, if it can't. */
function referenceProblem(scope: Scope, reference: string, known: Set<string | undefined>): string | undefined {
  const [head = '', ...path] = reference.split('.')
  if (head === '$Record') {
    if (text(child(scope.root, 'start'), 'triggerType') !== 'PlatformEvent') return '$Record outside an event flow'
    const [field = '', ...rest] = path
    return EVENT_FIELDS.has(field) && rest.length === 0 ? undefined : `${DEFAULT_INVENTORY_EVENT} has no field ${field}`
  }
  // Flow's own globals: $Flow.InterviewGuid, $Flow.FaultMessage, $Flow.CurrentDateTime.
  if (head.startsWith('$')) return undefined
  const action = scope.actions.get(head)
  if (action) {
    const [output = '', ...rest] = path
    if (output !== 'responseCode' && !action.responses[output]) return `${action.operationId} has no output ${output}`
    if (rest.length === 0) return undefined
    const type = apexTypeOf(jsonSchema(action.responses[output]?.content))
    return type?.collection === false ? pathProblem(scope.contract, type.component, rest) : `${output} has no fields`
  }
  const type = flowcartTypeOf(scope, head)
  if (type) {
    return type.collection && path.length > 0
      ? `${head} is a collection`
      : pathProblem(scope.contract, type.component, path)
  }
  return scope.variables.has(head) || known.has(head) ? undefined : `${head} is not a variable or element of the flow`
}

function checkReferences(scope: Scope) {
  const { root } = scope
  // Besides variables and actions, a reference may start with an element, a screen field, a choice set, a template.
  const known = new Set([
    ...ELEMENT_KINDS.flatMap((kind) => nodes(root, kind).map((element) => text(element, 'name'))),
    ...nodes(root, 'screens').flatMap((screen) => nodes(screen, 'fields').map((field) => text(field, 'name'))),
    ...nodes(root, 'dynamicChoiceSets').map((choices) => text(choices, 'name')),
    ...nodes(root, 'textTemplates').map((template) => text(template, 'name')),
  ])
  for (const reference of new Set(referencesIn(root))) {
    const problem = referenceProblem(scope, reference, known)
    if (problem) scope.report(reference, problem)
  }
}

/** The flows checked against a contract: one line per problem, [] when every name they use exists in it. */
export function findFlowProblems(flows: ParsedFlow[], contract: Contract): string[] {
  const operations = operationsOf(contract)
  return flows.flatMap((flow) => {
    const problems: string[] = []
    const scope: Scope = {
      root: flow.root,
      contract,
      variables: new Map(nodes(flow.root, 'variables').map((variable) => [text(variable, 'name') ?? '', variable])),
      actions: new Map(),
      statusVariables: new Map(),
      report: (where, what) => problems.push(`${flow.name} ${where}: ${what}`),
    }
    const start = child(flow.root, 'start')
    if (text(start, 'triggerType') === 'PlatformEvent' && text(start, 'object') !== DEFAULT_INVENTORY_EVENT) {
      scope.report('start', `object must be ${DEFAULT_INVENTORY_EVENT}`)
    }
    checkApexVariables(scope)
    checkActions(scope, operations)
    checkStatusDecisions(scope)
    checkChoiceSets(scope)
    checkProductUpdates(scope)
    checkReferences(scope)
    return problems
  })
}
