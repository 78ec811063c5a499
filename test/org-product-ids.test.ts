// getInventory as the invoking user keeps each org's Product2 Ids apart, and never remembers a miss.
import { expect, it } from 'vitest'
import { createOrgProductIds } from '../src/salesforce/org-product-ids.js'

it('keeps the Ids of each org apart, and forgets a product a look-up did not find', async () => {
  const productIdsOf = createOrgProductIds()
  const orgA = productIdsOf('00D000000000001AAA')
  await orgA.rememberSalesforceIds(
    new Map([
      [1, '01t000000000001AAA'],
      [2, null],
    ]),
  )
  const since = new Date(0)
  expect(await orgA.findSalesforceIds([1, 2, 3], since)).toEqual(new Map([[1, '01t000000000001AAA']]))
  expect(await productIdsOf('00D000000000002AAA').findSalesforceIds([1, 2], since)).toEqual(new Map())
  // A later look-up by a user who cannot see the record drops it, so the next sync looks it up again.
  await productIdsOf('00D000000000001AAA').rememberSalesforceIds(new Map([[1, null]]))
  expect(await orgA.findSalesforceIds([1], since)).toEqual(new Map())
})
