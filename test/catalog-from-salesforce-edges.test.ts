// The catalog following Salesforce where it is easy to get wrong: a SKU passed from a deleted Product2 to a new one,
// a person's stock edit to a level flowcart held earlier, a change the database refuses every time, an undeleted
// product's price, and an import slower than the subscriber's lease.
import { describe, expect, it } from 'vitest'
import { authHeaders, engines } from './helper.js'
import { bySku, imported, products, startCatalogTestbed, waitFor } from './support/catalog-testbed.js'
import { selectRows } from './support/database-rows.js'

describe.each(engines)('the catalog following Salesforce, edge cases (%s)', (engine) => {
  it('sells a product again when its Product2 is deleted and made again with the same SKU', async () => {
    const { emulator, app } = await startCatalogTestbed(engine)
    const before = (await imported(app)).find((p) => p.sku === 'FC-TENT-2P')
    const old = emulator.records().find((r) => r.ProductCode === 'FC-TENT-2P')
    emulator.deleteRecord(old?.Id as string)
    await waitFor(
      'archived',
      () => bySku(app, 'FC-TENT-2P'),
      (p) => p?.active === false,
      3000,
    )
    emulator.addProducts([{ Name: 'Tent, new record', ProductCode: 'FC-TENT-2P', IsActive: true, standardPrice: 99 }])
    const after = await waitFor(
      'the new Product2 with the same SKU',
      () => bySku(app, 'FC-TENT-2P'),
      (p) => p?.active === true && p.name === 'Tent, new record' && p.price === 99,
      5000,
    )
    // The same product: its id (and with it its orders and stock) stays.
    expect(after?.id).toBe(before?.id)
  })

  it("accepts a person's edit to a level flowcart held minutes earlier, but not one older than flowcart's own change", async () => {
    const { emulator, pubsub, app, databaseUrl } = await startCatalogTestbed(engine, {
      SF_CATALOG_STOCK_EDITS: 'accept',
    })
    const tent = (await imported(app)).find((p) => p.sku === 'FC-TENT-2P') as { id: number }
    const record = () => emulator.records().find((r) => r.ProductCode === 'FC-TENT-2P')
    const setStock = (quantityInStock: number) =>
      app.inject({ method: 'PUT', url: `/inventory/${tent.id}`, headers: authHeaders, payload: { quantityInStock } })
    // Out of stock three minutes ago, restocked two minutes ago (the outbox rows dated back as if they had been).
    await setStock(0)
    await setStock(50)
    const minutesAgo = (minutes: number) => `'${new Date(Date.now() - minutes * 60_000).toISOString()}'`
    await selectRows(databaseUrl, `update stock_events set created_at = ${minutesAgo(3)} where quantity_in_stock = 0`)
    await selectRows(databaseUrl, `update stock_events set created_at = ${minutesAgo(2)} where quantity_in_stock = 50`)
    // A person marks it out of stock again: not the org's flow copying flowcart's old 0, so it is accepted.
    emulator.updateRecord(record()?.Id as string, { Qty_In_Stock__c: 0 })
    await waitFor(
      'the accepted edit',
      () => bySku(app, 'FC-TENT-2P'),
      (p) => p?.quantityInStock === 0,
      10_000,
    )

    // An edit made before flowcart's latest change (an order meanwhile), delivered after it, does not undo that change:
    // flowcart's level stays and is written back.
    pubsub.setDeliveryDelay(1500)
    emulator.updateRecord(record()?.Id as string, { Qty_In_Stock__c: 7 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await setStock(30)
    await waitFor(
      'the overwrite',
      async () => record()?.Qty_In_Stock__c,
      (qty) => qty === 30,
      10_000,
    )
    expect((await bySku(app, 'FC-TENT-2P'))?.quantityInStock).toBe(30)
  })

  it('skips, after three tries, a change the database refuses every time, and goes on with the next', async () => {
    const { emulator, app, testbed } = await startCatalogTestbed(engine)
    await imported(app)
    const [huge] = emulator.addProducts([{ Name: 'Huge', ProductCode: 'HUGE-1', IsActive: true, standardPrice: 1 }])
    await waitFor(
      'the new product',
      () => bySku(app, 'HUGE-1'),
      (p) => p?.price === 1,
      3000,
    )
    // A price past what a 64-bit count of cents holds: refused by the database on both engines, every time.
    emulator.setStandardPrice(huge?.Id as string, 1e20)
    emulator.addProducts([{ Name: 'Next', ProductCode: 'NEXT-1', IsActive: true, standardPrice: 2 }])
    emulator.setStandardPrice(huge?.Id as string, 3)
    await waitFor(
      'the changes after it',
      () => bySku(app, 'HUGE-1'),
      (p) => p?.price === 3,
      15_000,
    )
    expect((await bySku(app, 'NEXT-1'))?.active).toBe(true)
    expect(testbed.logs.filter((line) => line.includes('change event skipped'))).toHaveLength(1)
  })

  it('reads the whole catalog again for an overflow event', async () => {
    const { emulator, pubsub, app } = await startCatalogTestbed(engine)
    await imported(app)
    // More changes than Salesforce makes events for: these three make none, then comes the overflow event.
    const records = emulator.records().slice(0, 3) as { Id: string; ProductCode?: string }[]
    pubsub.dropNextChanges(3)
    emulator.updateRecord(records[0]?.Id as string, { Name: 'Overflowed 1' })
    emulator.updateRecord(records[1]?.Id as string, { IsActive: false })
    emulator.updateRecord(records[2]?.Id as string, { Description: 'Changed in the overflow' })
    pubsub.emitOverflow(emulator.orgId, '/data/Product2ChangeEvent')
    await waitFor(
      'the catalog read again',
      () => products(app),
      (list) =>
        list.some((p) => p.name === 'Overflowed 1') &&
        list.some((p) => p.sku === records[1]?.ProductCode && !p.active) &&
        list.some((p) => p.sku === records[2]?.ProductCode && p.description === 'Changed in the overflow'),
      5000,
    )
  })

  it('reads an undeleted product’s standard price again', async () => {
    const { emulator, app } = await startCatalogTestbed(engine)
    await imported(app)
    const record = emulator.records().find((r) => r.ProductCode === 'FC-BAG-0C') as { Id: string }
    emulator.deleteRecord(record.Id)
    await waitFor(
      'archived',
      () => bySku(app, 'FC-BAG-0C'),
      (p) => p?.active === false,
      3000,
    )
    emulator.undeleteRecord(record.Id)
    await waitFor(
      'sold again at its price',
      () => bySku(app, 'FC-BAG-0C'),
      (p) => p?.active === true && p.price === 11,
      3000,
    )
  })

  it('finishes an import slower than the lease, holding the lease all along', async () => {
    const { emulator, app, testbed } = await startCatalogTestbed(engine, { SF_TIMEOUT_MS: '30000' }, (org) =>
      org.setLatency(9000),
    )
    try {
      await waitFor(
        'the slow import',
        () => products(app),
        (list) => list.length >= 12,
        60_000,
      )
      expect(testbed.logs.some((line) => line.includes('no longer holds'))).toBe(false)
    } finally {
      emulator.setLatency(0)
    }
  }, 90_000)
})
