// The flows under salesforce/ against the contract Flow calls them with (openapi.generated.json): every External
// Service action, input, output and Apex-defined field they use must exist there, so a rename fails here, not in an org.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_API_VERSION,
  DEFAULT_INVENTORY_EVENT,
  DEFAULT_PRODUCT_MATCH_FIELD,
  DEFAULT_STOCK_FIELD,
  INVENTORY_EVENT_FIELDS,
  PRODUCT_OBJECT,
} from '../src/salesforce/names.js'
import {
  type Contract,
  child,
  ELEMENT_KINDS,
  EVENT_FIELDS,
  FLOWS_DIR,
  findFlowProblems,
  type Node,
  nodes,
  operationsOf,
  type ParsedFlow,
  ROOT,
  readFlows,
  type Schema,
  text,
} from './support/flow-contract.js'

const SCANNER_CONFIG = join(ROOT, 'salesforce/flow-scanner.json')

const DOCS = {
  // Metadata API "Flow": processType, triggerType, actionType, flowTransactionModel and status are enumerations of it
  // (FlowProcessType, FlowTriggerType, InvocableActionType, FlowTransactionModel, FlowVersionStatus).
  flow: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_visual_workflow.htm',
  // "Every operation captures the HTTP response code with an output parameter responseCode"; a response declared under
  // a status code is an output named after that code.
  outputs:
    'https://help.salesforce.com/s/articleView?id=platform.external_services_schema_def_operation_output_params.htm',
  // Platform event–triggered flows: batches of up to 2,000 events, event fields read through $Record.
  eventFlows:
    'https://developer.salesforce.com/docs/atlas.en-us.230.0.platform_events.meta/platform_events/platform_events_subscribe_flow.htm',
  // "Let the flow decide" (Automatic) commits pending work before a callout from a screen flow.
  calloutTransaction:
    'https://developer.salesforce.com/docs/atlas.en-us.256.0.apexcode.meta/apexcode/apex_forcecom_flow_invocable_action_callout.htm',
  // A real External Service action: actionName <registration>.<operationId>, actionType externalService, input body.
  actionExample:
    'heroku-reference-apps/heroku-applink-pattern-org-action-nodejs src-org/main/default/flows/GenerateQuoteTest.flow-meta.xml',
  // "When a flow fails, the user running the flow gets this error message and Salesforce creates a failed interview.
  // [...] The admin who created the flow receives a fault email" (Default Flow Error Handling). A fault connector
  // replaces that default: what it leads to is all the trace a failure leaves.
  defaultErrorHandling: 'https://help.salesforce.com/apex/HTViewHelpDoc?id=platform.flow_build_logic_fault_default.htm',
  // @flow-scanner/lightning-flow-scanner-core 6.6.0, rule FlowName: default pattern [A-Za-z0-9]+_[A-Za-z0-9]+.
  scannerFlowName: '@flow-scanner/lightning-flow-scanner-core@6.6.0 main/rules/FlowName.js',
}
const FLOWS = readFlows()
const CONTRACT = JSON.parse(readFileSync(join(ROOT, 'openapi.generated.json'), 'utf8')) as Contract
const flowNamed = (name: string) => {
  const flow = FLOWS.find((candidate) => candidate.name === name)
  if (!flow) throw new Error(`no flow ${name} in ${FLOWS_DIR}`)
  return flow.root
}
const elementNamed = (root: Node, kind: string, name: string) => {
  const element = nodes(root, kind).find((candidate) => text(candidate, 'name') === name)
  if (!element) throw new Error(`no ${kind} ${name}`)
  return element
}
const inputValue = (action: Node, name: string) =>
  child(
    nodes(action, 'inputParameters').find((input) => text(input, 'name') === name),
    'value',
  )
const operationIn = (contract: Contract, operationId: string) => {
  const operation = operationsOf(contract).get(operationId)
  if (!operation) throw new Error(`no operation ${operationId}`)
  return operation
}

describe('flows against openapi.generated.json', () => {
  it('finds the three flows', () => {
    expect(FLOWS.map((flow) => flow.name)).toEqual([
      'Flowcart_Inventory_Sync',
      'Flowcart_Place_Order',
      'Flowcart_Stock_Update',
    ])
  })

  it('every action, input, output, type and field the flows use exists in the contract', () => {
    expect(findFlowProblems(FLOWS, CONTRACT)).toEqual([])
  })

  const renameParameter = (operationId: string, from: string, to: string) => (contract: Contract) => {
    const parameter = operationIn(contract, operationId).parameters?.find((candidate) => candidate.name === from)
    if (!parameter) throw new Error(`${operationId} has no parameter ${from}`)
    parameter.name = to
  }
  const mutations: [string, (contract: Contract) => void, string][] = [
    [
      'operation postOrder renamed',
      (c) => Object.assign(operationIn(c, 'postOrder'), { operationId: 'placeOrder' }),
      'Flowcart.postOrder',
    ],
    [
      'header idempotencyKey renamed to key',
      renameParameter('postOrder', 'idempotencyKey', 'key'),
      'input idempotencyKey',
    ],
    ['query pageSize renamed to size', renameParameter('getProducts', 'pageSize', 'size'), 'input pageSize'],
    ['query productId of getInventory renamed', renameParameter('getInventory', 'productId', 'id'), 'input productId'],
    [
      'Order.totalPrice renamed to total',
      (c) => {
        const order = c.components.schemas.Order as Schema & { properties: Record<string, Schema> }
        order.properties.total = order.properties.totalPrice as Schema
        delete order.properties.totalPrice
      },
      'Order has no property totalPrice',
    ],
    ['postOrder no longer declaring 409', (c) => delete operationIn(c, 'postOrder').responses['409'], '409'],
    [
      'ErrorResponse renamed to Problem',
      (c) => {
        const renamed = JSON.parse(
          JSON.stringify(c).replaceAll('#/components/schemas/ErrorResponse', '#/components/schemas/Problem'),
        )
        renamed.components.schemas.Problem = renamed.components.schemas.ErrorResponse
        delete renamed.components.schemas.ErrorResponse
        Object.assign(c, renamed)
      },
      'ExternalService__Flowcart_ErrorResponse names no component schema',
    ],
  ]

  it.each(mutations)('reports the contract with %s', (_what, mutate, mention) => {
    const contract = structuredClone(CONTRACT)
    mutate(contract)
    const problems = findFlowProblems(FLOWS, contract)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.join('\n')).toContain(mention)
  })

  it('reports a flow that reads a field or output the contract lacks', () => {
    const flow = structuredClone(FLOWS.find((candidate) => candidate.name === 'Flowcart_Place_Order') as ParsedFlow)
    const [orderText] = nodes(elementNamed(flow.root, 'screens', 'Show_Order'), 'fields')
    if (orderText) orderText.fieldText = '{!placedOrder.total} {!Post_Order.418} {!placedOrder.items.sku}'
    const problems = findFlowProblems([flow], CONTRACT).join('\n')
    expect(problems).toContain('Order has no property total')
    expect(problems).toContain('postOrder has no output 418')
    expect(problems).toContain("Order.items is a list and can't be read through")
  })
})

describe('Flowcart_Place_Order: screen flow that orders one product', () => {
  const root = flowNamed('Flowcart_Place_Order')
  const getProducts = elementNamed(root, 'actionCalls', 'Get_Products')
  const postOrder = elementNamed(root, 'actionCalls', 'Post_Order')

  it('is an active screen flow calling getProducts, then postOrder, as External Service actions', () => {
    // FlowProcessType "Flow" is a screen flow; a screen flow's start has no trigger.
    expect(root.processType, DOCS.flow).toBe('Flow')
    expect(child(root, 'start')?.triggerType).toBeUndefined()
    expect(root.status, DOCS.flow).toBe('Active')
    for (const action of [getProducts, postOrder]) {
      expect(action.actionType, DOCS.actionExample).toBe('externalService')
      // The reference lists nameSegment for API 58.0 to 61.0 only; the action is named by actionName and actionType.
      expect(action.nameSegment, DOCS.flow).toBeUndefined()
    }
    expect([getProducts.actionName, postOrder.actionName]).toEqual(['Flowcart.getProducts', 'Flowcart.postOrder'])
  })

  it('asks for as many products as the contract allows in one page', () => {
    const pageSize = operationIn(CONTRACT, 'getProducts').parameters?.find((p) => p.name === 'pageSize')
    expect(Number(text(inputValue(getProducts, 'pageSize'), 'numberValue'))).toBe(pageSize?.schema?.maximum)
  })

  it('sends the interview GUID as idempotency key and lets Flow choose the transaction', () => {
    expect(text(inputValue(postOrder, 'idempotencyKey'), 'elementReference')).toBe('$Flow.InterviewGuid')
    expect(postOrder.flowTransactionModel, DOCS.calloutTransaction).toBe('Automatic')
  })

  it('checks the quantity with the bounds of OrderItemInput.quantity', () => {
    const { minimum, maximum } = CONTRACT.components.schemas.OrderItemInput?.properties?.quantity ?? {}
    const screen = elementNamed(root, 'screens', 'Pick_Product')
    const quantity = nodes(screen, 'fields').find((field) => text(field, 'name') === 'Quantity')
    const formula = text(child(quantity, 'validationRule'), 'formulaExpression')
    expect(quantity?.scale).toBe('0')
    expect(formula).toContain(`{!Quantity} >= ${minimum}`)
    expect(formula).toContain(`{!Quantity} <= ${maximum}`)
    expect(formula).toContain('{!Quantity} = FLOOR({!Quantity})')
  })

  it('offers the getProducts result as a collection choice set of product ids', () => {
    // "You can reference an Apex-defined collection from an external service" (Collection Choice Set Resource).
    const choices = nodes(root, 'dynamicChoiceSets')[0]
    expect(choices).toMatchObject({ collectionReference: 'products', valueField: 'id', dataType: 'Number' })
  })
})

const EACH_FLOW = FLOWS.map((flow) => [flow.name, flow] as const)

describe('every flow', () => {
  it.each(EACH_FLOW)('%s: API version, description, name the scanner accepts', (name, flow) => {
    expect(flow.root.apiVersion).toBe(DEFAULT_API_VERSION)
    expect(String(flow.root.description ?? '').length).toBeGreaterThan(0)
    expect(name, DOCS.scannerFlowName).toMatch(/[A-Za-z0-9]+_[A-Za-z0-9]+/)
  })

  it.each(EACH_FLOW)('%s: connectors lead to elements that exist', (_name, flow) => {
    const names = new Set(
      ELEMENT_KINDS.flatMap((kind) => nodes(flow.root, kind).map((element) => text(element, 'name'))),
    )
    const targets = [...flow.xml.matchAll(/<targetReference>([^<]+)<\/targetReference>/g)].map((m) => m[1])
    expect(targets.filter((target) => !names.has(target))).toEqual([])
  })

  it.each(EACH_FLOW)(
    '%s: a variable the flow writes is read somewhere, so no path ends in a note nobody sees',
    (_n, flow) => {
      const written = new Set(
        [...flow.xml.matchAll(/<assignToReference>([A-Za-z0-9_]+)/g)]
          .map((m) => m[1])
          .filter((name) => name !== undefined),
      )
      const read = (name: string) =>
        new RegExp(`<(elementReference|leftValueReference|collectionReference|inputReference)>${name}[.<]`).test(
          flow.xml,
        ) || new RegExp(`\\{!${name}[.}]`).test(flow.xml)
      expect([...written].filter((name) => !read(name))).toEqual([])
    },
  )

  it.each(EACH_FLOW)('%s: a Decision on responseCode follows every action', (_name, flow) => {
    for (const action of nodes(flow.root, 'actionCalls')) {
      expect(action.storeOutputAutomatically, 'outputs mapped explicitly, so this test sees every read').toBe('false')
      const status = nodes(action, 'outputParameters').find((output) => text(output, 'name') === 'responseCode')
      const next = elementNamed(flow.root, 'decisions', text(child(action, 'connector'), 'targetReference') ?? '')
      const compared = nodes(next, 'rules').flatMap((rule) => nodes(rule, 'conditions'))
      expect(
        compared.map((condition) => condition.leftValueReference),
        DOCS.outputs,
      ).toContain(text(status, 'assignToReference'))
    }
  })
})

describe('what a failure leaves', () => {
  const screenFlows = FLOWS.filter((flow) => flow.root.processType === 'Flow')
  const eventFlows = FLOWS.filter((flow) => child(flow.root, 'start')?.triggerType === 'PlatformEvent')
  const failing = (flow: ParsedFlow) => [...nodes(flow.root, 'actionCalls'), ...nodes(flow.root, 'recordUpdates')]

  it.each(screenFlows.map((flow) => [flow.name, flow] as const))(
    '%s: every fault path ends on a screen',
    (_n, flow) => {
      // A declared error status comes back on the normal path (read by a Decision); the fault path is for failures
      // without a response (timeout, named credential access), and the user is there to read what went wrong.
      for (const element of failing(flow)) {
        const target = text(child(element, 'faultConnector'), 'targetReference') ?? ''
        expect(
          nodes(flow.root, 'screens').map((screen) => text(screen, 'name')),
          text(element, 'name'),
        ).toContain(target)
      }
    },
  )

  it.each(eventFlows.map((flow) => [flow.name, flow] as const))(
    '%s: catches no fault, so the interview fails',
    (_n, f) => {
      // No user watches an event flow: a caught fault would end the interview as a success, with no failed interview
      // in Setup and no fault email (DOCS.defaultErrorHandling). Values are absolute, so the next event repairs the level.
      expect(failing(f).length).toBeGreaterThan(0)
      expect(f.xml, DOCS.defaultErrorHandling).not.toContain('<faultConnector>')
    },
  )

  it('Flowcart_Inventory_Sync writes the event level itself when flowcart answers with an error status', () => {
    const root = flowNamed('Flowcart_Inventory_Sync')
    const check = elementNamed(root, 'decisions', 'Check_Sync')
    expect(text(child(check, 'defaultConnector'), 'targetReference')).toBe('Apply_Event_Stock')
    const apply = elementNamed(root, 'recordUpdates', 'Apply_Event_Stock')
    const copy = elementNamed(flowNamed('Flowcart_Stock_Update'), 'recordUpdates', 'Update_Product_Stock')
    for (const key of ['object', 'filters', 'inputAssignments']) expect(apply[key]).toEqual(copy[key])
    // The filter ProductCode = null would match every product without a code, so an event without a SKU stops first.
    const guard = nodes(elementNamed(root, 'decisions', 'Check_Event'), 'rules')[0]
    expect(nodes(guard, 'conditions').map((condition) => condition.leftValueReference)).toEqual([
      `$Record.${INVENTORY_EVENT_FIELDS.productId}`,
      `$Record.${INVENTORY_EVENT_FIELDS.sku}`,
      `$Record.${INVENTORY_EVENT_FIELDS.quantityInStock}`,
    ])
  })
})

describe('platform event–triggered flows', () => {
  const eventFlows = ['Flowcart_Stock_Update', 'Flowcart_Inventory_Sync'] as const

  it.each(eventFlows)('%s starts on the inventory event', (name) => {
    const root = flowNamed(name)
    // A platform event–triggered flow is an autolaunched flow whose start names the event (FlowTriggerType).
    expect(root.processType, DOCS.flow).toBe('AutoLaunchedFlow')
    expect(child(root, 'start'), DOCS.flow).toMatchObject({
      object: DEFAULT_INVENTORY_EVENT,
      triggerType: 'PlatformEvent',
    })
  })

  it('the event has the fields the code publishes, so $Record checks above use the real names', () => {
    expect([...EVENT_FIELDS].sort()).toEqual(Object.values(INVENTORY_EVENT_FIELDS).sort())
  })

  it('Flowcart_Stock_Update is active, makes no callout and copies the event into Product2 by SKU', () => {
    const root = flowNamed('Flowcart_Stock_Update')
    // A batch can hold 2,000 events; one callout each would pass the 100 callouts a transaction may make.
    expect(nodes(root, 'actionCalls'), DOCS.eventFlows).toEqual([])
    expect(root.status).toBe('Active')
    // Without a SKU the filter would be ProductCode = null, which matches every product that has no code.
    const guard = nodes(elementNamed(root, 'decisions', 'Check_Event'), 'rules')[0]
    expect(nodes(guard, 'conditions')).toContainEqual({
      leftValueReference: `$Record.${INVENTORY_EVENT_FIELDS.sku}`,
      operator: 'IsNull',
      rightValue: { booleanValue: 'false' },
    })
    expect(text(child(guard, 'connector'), 'targetReference')).toBe('Update_Product_Stock')
    const [update, ...others] = nodes(root, 'recordUpdates')
    expect(others).toEqual([])
    expect(update?.object).toBe(PRODUCT_OBJECT)
    expect(nodes(update, 'filters')).toEqual([
      {
        field: DEFAULT_PRODUCT_MATCH_FIELD,
        operator: 'EqualTo',
        value: { elementReference: `$Record.${INVENTORY_EVENT_FIELDS.sku}` },
      },
    ])
    expect(nodes(update, 'inputAssignments')).toEqual([
      { field: DEFAULT_STOCK_FIELD, value: { elementReference: `$Record.${INVENTORY_EVENT_FIELDS.quantityInStock}` } },
    ])
  })

  it('Flowcart_Inventory_Sync ships as a draft and says why', () => {
    const sync = FLOWS.find((flow) => flow.name === 'Flowcart_Inventory_Sync') as ParsedFlow
    expect(sync.root.status, DOCS.flow).toBe('Draft')
    expect(sync.xml.split('\n')[2]).toContain('shipped as a DRAFT')
    expect(String(sync.root.description)).toContain('100 events')
    const action = elementNamed(sync.root, 'actionCalls', 'Get_Inventory')
    expect(action.actionName).toBe('Flowcart.getInventory')
    expect(text(inputValue(action, 'productId'), 'elementReference')).toBe(
      `$Record.${INVENTORY_EVENT_FIELDS.productId}`,
    )
  })
})

describe('salesforce/flow-scanner.json', () => {
  const config = JSON.parse(readFileSync(SCANNER_CONFIG, 'utf8')) as {
    exceptions?: Record<string, Record<string, string[]>>
  }

  it('suppresses InactiveFlow on the draft, and lists no rules (a rules list runs those rules alone)', () => {
    expect(Object.keys(config)).toEqual(['exceptions'])
    expect(config.exceptions?.Flowcart_Inventory_Sync?.InactiveFlow).toEqual(['Draft'])
    expect(FLOWS.map((flow) => flow.name)).toContain('Flowcart_Inventory_Sync')
  })

  it('suppresses MissingFaultPath on exactly the callout and DML elements of the event flows, and nothing else', () => {
    // The scanner asks for a fault path on every callout and DML element; the event flows leave them out on purpose
    // (a failed interview and a fault email instead of a silent success), and only there.
    const expected = Object.fromEntries(
      FLOWS.filter((flow) => child(flow.root, 'start')?.triggerType === 'PlatformEvent').map((flow) => [
        flow.name,
        {
          ...(flow.root.status === 'Draft' ? { InactiveFlow: ['Draft'] } : {}),
          MissingFaultPath: [...nodes(flow.root, 'actionCalls'), ...nodes(flow.root, 'recordUpdates')]
            .map((element) => text(element, 'name'))
            .sort(),
        },
      ]),
    )
    expect(config.exceptions).toEqual(expected)
  })
})
