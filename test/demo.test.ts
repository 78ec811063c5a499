// npm run demo -- --check: the demo's whole loop (order, event, getInventory, Product2, outage) in a child process.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('runs the stock loop against the emulator and exits 0', async () => {
  // execFile rejects on a non-zero exit code, with the output in the error.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--check'], { timeout: 25_000 })
  expect(stdout).toMatch(/^1\. order \d+ placed: 2 × FC-TENT-2P$/m)
  expect(stdout).toMatch(/^2\. Inventory_Update__e arrived after \d+ ms: SKU__c FC-TENT-2P, Qty_In_Stock__c 38$/m)
  expect(stdout).toMatch(/^3\. getInventory: quantityInStock 38, salesforceSync\.status updated \(01t\w+\)$/m)
  expect(stdout).toMatch(/^4\. Product2 01t\w+ \(FC-TENT-2P\): Qty_In_Stock__c 38$/m)
  expect(stdout).toMatch(/^6\. Salesforce down: order placed, pendingEvents 1, /m)
  expect(stdout).toMatch(/Salesforce back: the waiting event arrived after \d+ ms with Qty_In_Stock__c 37$/m)
  expect(stdout).toMatch(/^demo check passed$/m)
})

it('runs the same loop in AppLink mode, behind the mesh stand-in, as the user who ran the Flow', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--check', '--applink'], {
    timeout: 25_000,
  })
  const flowUser = /placedBy user (005\w+)$/m.exec(stdout)?.[1]
  expect(flowUser).toMatch(/^005/)
  expect(stdout).toMatch(
    new RegExp(`^4\\. Product2 01t\\w+ \\(FC-TENT-2P\\): Qty_In_Stock__c 38, LastModifiedById ${flowUser}$`, 'm'),
  )
  expect(stdout).toMatch(/CreatedById 005\w+$/m)
  expect(stdout).not.toMatch(new RegExp(`CreatedById ${flowUser}$`, 'm'))
  expect(stdout).toMatch(/^demo check passed$/m)
})
