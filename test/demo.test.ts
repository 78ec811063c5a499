// npm run demo -- --check: the demo's whole loop (order, event, getInventory, Product2, outage) in a child process,
// told as the seed's story: the Flow's call, the order, the stock event and what each shipped flow does with it.
// --catalog --check: the catalog following Salesforce, a rename and a new price made there showing in flowcart.
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
let basicRun: Promise<{ stdout: string; stderr: string }> | undefined
/** One basic-mode run serves the tests that read it. execFile rejects on a non-zero exit, with the output. */
const runBasic = () => {
  basicRun ??= run(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--check'], { timeout: 25_000 })
  return basicRun
}
const FLOWS = readdirSync(new URL('../salesforce/force-app/main/default/flows/', import.meta.url))
  .filter((file) => file.endsWith('.flow-meta.xml'))
  .map((file) => file.replace('.flow-meta.xml', ''))
/** The output with its wrapped lines joined, for sentences the demo may break across lines. */
const prose = (stdout: string) => stdout.replace(/\n {3,}(?![-\d])/g, ' ')

it('runs the stock loop against the emulator and exits 0', async () => {
  const { stdout } = await runBasic()
  expect(stdout).toMatch(/^1\. order \d+ placed: 2 × FC-TENT-2P$/m)
  expect(stdout).toMatch(/^2\. Inventory_Update__e arrived after \d+ ms: SKU__c FC-TENT-2P, Qty_In_Stock__c 38$/m)
  expect(stdout).toMatch(/^3\. getInventory: quantityInStock 38, salesforceSync\.status updated \(01t\w+\)$/m)
  expect(stdout).toMatch(/^6\. Salesforce down: order placed, pendingEvents 1, /m)
  expect(stdout).toMatch(/Salesforce back: the waiting event arrived after \d+ ms with Qty_In_Stock__c 37$/m)
  expect(stdout).toMatch(/^demo check passed$/m)
})

it("tells the seed's story: the Flow's call, the order, the event and what each shipped flow does with it", async () => {
  const { stdout } = await runBasic()
  const text = prose(stdout)
  // The emulator's Product2 records carry the catalog's names (the check compares every one with getProducts).
  expect(stdout).toMatch(
    /^0\. 12 Product2 records in the emulator, named as in flowcart's catalog \("Trail Tent 2P", …\)$/m,
  )
  expect(stdout).toMatch(/^4\. Product2 01t\w+ \(FC-TENT-2P, "Trail Tent 2P"\): Qty_In_Stock__c 38$/m)
  // The Flow's call: which flow, which External Service action, and the request as it arrives.
  expect(text).toContain('the screen flow Flowcart_Place_Order')
  expect(text).toContain(
    'the External Service action Flowcart.postOrder, sends this through the named credential Flowcart',
  )
  const key = /^ {5}idempotency-key: ([\w-]{36}) {3}\(the interview's \$Flow\.InterviewGuid\)$/m.exec(stdout)?.[1]
  expect(key).toBeDefined()
  expect(stdout).toMatch(
    /^ {5}POST \/orders\n {5}authorization: Basic <FlowcartPrincipal: .*>\n {5}content-type: application\/json\n/m,
  )
  expect(stdout).toContain('     {"items":[{"productId":1,"quantity":2}]}\n')
  // The order, in the words of the flow's closing screen.
  expect(stdout).toMatch(/^ {3}2 × Trail Tent 2P \(FC-TENT-2P\) at 249 USD$/m)
  expect(stdout).toMatch(/Show_Order screen: "Order \d+ is placed\. Total: 498 USD\."$/m)
  // Every flow of the folder, by its API name and status, with what it does with this event.
  expect(FLOWS.sort()).toEqual(['Flowcart_Inventory_Sync', 'Flowcart_Place_Order', 'Flowcart_Stock_Update'])
  expect(text).toContain(
    '- Flowcart_Stock_Update (Active): triggered by Inventory_Update__e, runs as flowcart\'s integration user, no callout: sets Qty_In_Stock__c of the Product2 whose ProductCode is FC-TENT-2P ("Trail Tent 2P") to 38.',
  )
  expect(text).toContain(
    '- Flowcart_Inventory_Sync (Draft): triggered by Inventory_Update__e, one callout: calls Flowcart.getInventory with productId 1',
  )
  expect(text).toContain('- Flowcart_Place_Order (Active): the screen flow that placed the order')
  expect(stdout).toMatch(/^demo check passed$/m)
})

it('runs the same loop in AppLink mode, behind the mesh stand-in, as the user who ran the Flow', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--check', '--applink'], {
    timeout: 25_000,
  })
  const flowUser = /placedBy user (005\w+)$/m.exec(stdout)?.[1]
  expect(flowUser).toMatch(/^005/)
  expect(stdout).toMatch(
    new RegExp(
      `^4\\. Product2 01t\\w+ \\(FC-TENT-2P, "Trail Tent 2P"\\): Qty_In_Stock__c 38, LastModifiedById ${flowUser}$`,
      'm',
    ),
  )
  expect(stdout).toMatch(/CreatedById 005\w+$/m)
  expect(stdout).not.toMatch(new RegExp(`CreatedById ${flowUser}$`, 'm'))
  // AppLink's own version of the story: its published app's action, the mesh's context, the one flow it deploys.
  const text = prose(stdout)
  expect(text).toContain('a Flow built on the published app FlowcartAppLink runs its External Service action postOrder')
  expect(stdout).toMatch(/^ {5}x-client-context: <.*set by the mesh>$/m)
  expect(stdout).not.toMatch(/idempotency-key|authorization: Basic/)
  expect(text).toContain(
    "- Flowcart_Stock_Update (Active): triggered by Inventory_Update__e, runs as the AppLink authorization's user, no callout",
  )
  expect(text).toContain('- Flowcart_Inventory_Sync (Draft): not deployed in AppLink mode')
  expect(text).toContain('- Flowcart_Place_Order (Active): not deployed in AppLink mode')
  expect(stdout).toMatch(/^demo check passed$/m)
})

it('shows a change made in Salesforce appearing in flowcart when the catalog follows Salesforce (--catalog)', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--check', '--catalog'], {
    timeout: 25_000,
  }).catch((error: { message: string; stdout?: string; stderr?: string }) => {
    // The failed step's own words are in the output.
    throw new Error(`${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
  })
  // The demo catalog reaches flowcart by the import from the emulator's Product2 records and standard prices.
  expect(stdout).toMatch(
    /^1\. 12 products imported from Salesforce's Product2 records and standard price book after \d+ ms \("Trail Tent 2P" at 249 USD, 40 in stock, …\)$/m,
  )
  expect(stdout).toMatch(/^ {3}healthz catalogSync: org default \(master\) live after \d+ ms$/m)
  // A person renames the product and changes its standard price in Salesforce, by the curl lines printed.
  const product2Id = /^2\. In Salesforce, Product2 (01t\w{15}) renamed "Trail Tent 2P, 2027 edition"/m.exec(stdout)?.[1]
  expect(product2Id).toBeDefined()
  expect(stdout).toContain(
    `   curl -X PATCH -H 'content-type: application/json' -d '{"Name":"Trail Tent 2P, 2027 edition"}' $SF/__emulator/records/${product2Id}\n`,
  )
  expect(stdout).toContain(
    `   curl -X PUT -H 'content-type: application/json' -d '{"unitPrice":224.1}' $SF/__emulator/records/${product2Id}/standard-price\n`,
  )
  const followed = /^ {3}GET \/products\/1 answered "Trail Tent 2P, 2027 edition" at 224\.1 USD after (\d+) ms$/m.exec(
    stdout,
  )
  expect(Number(followed?.[1])).toBeLessThanOrEqual(5000)
  // flowcart's own catalog writes are refused.
  expect(stdout).toMatch(/^ {3}createProduct answered 409 CATALOG_FROM_SALESFORCE: "The catalog follows Salesforce/m)
  expect(stdout).toMatch(/^ {3}updateProduct answered 409 CATALOG_FROM_SALESFORCE: /m)
  // A stock level typed into Salesforce is put back to flowcart's.
  expect(stdout).toContain(`-d '{"Qty_In_Stock__c":45}' $SF/__emulator/records/${product2Id}\n`)
  expect(stdout).toMatch(
    /^ {3}put back to 40 \(flowcart's level, still 40 there\) after \d+ ms, and Inventory_Update__e published with Qty_In_Stock__c 40$/m,
  )
  expect(stdout).toMatch(/^demo check passed$/m)
})
