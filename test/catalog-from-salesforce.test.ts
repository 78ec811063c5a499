// The catalog following Salesforce (SF_CATALOG_FROM_SALESFORCE=true) against the emulator and the Pub/Sub stand-in,
// over TLS verified with the CA every test process trusts through NODE_EXTRA_CA_CERTS: the import, each kind of
// change, no echo of flowcart's own writes, stock edits, one master, and a refused replay id and a gap event.
import { describe, expect, it } from 'vitest'
import { authHeaders, engines } from './helper.js'
import { adminHeaders } from './support/admin.js'
import { bySku, imported, type Listed, products, startCatalogTestbed, waitFor } from './support/catalog-testbed.js'

describe.each(engines)('the catalog following Salesforce (%s)', (engine) => {
  const setUp = (env: Record<string, string> = {}) => startCatalogTestbed(engine, env)

  it('imports Product2 and standard prices into an empty catalog, with no demo data, and follows creates, renames, reprices, archives, deletes and undeletes within 3 s', async () => {
    const { emulator, app } = await setUp()
    const [noPrice] = emulator.addProducts([{ Name: 'Unpriced', ProductCode: 'NO-PRICE', IsActive: true }])
    emulator.addProducts([{ Name: 'No code', IsActive: true, standardPrice: 5 }])
    const catalog = await imported(app)
    const tent = catalog.find((p) => p.sku === 'FC-TENT-2P')
    expect(tent).toMatchObject({ name: 'Product 1', price: 10, active: true })
    // The demo catalog's own names never appear: Salesforce's are the catalog's.
    expect(catalog.every((p) => p.name.startsWith('Product ') || p.sku === 'NO-PRICE')).toBe(true)
    // A product without a standard price is kept, archived at price 0; one without a SKU is not in the catalog.
    const unpriced = await waitFor(
      'the unpriced product',
      () => bySku(app, 'NO-PRICE'),
      (p) => p !== undefined,
      3000,
    )
    expect(unpriced).toMatchObject({ active: false, price: 0 })
    expect((await products(app)).some((p) => p.name === 'No code')).toBe(false)

    const [created] = emulator.addProducts([
      { Name: 'Stove', ProductCode: 'STOVE-1', IsActive: true, standardPrice: 49.9 },
    ])
    const id = created?.Id as string
    await waitFor(
      'a create',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.price === 49.9 && p.active,
      3000,
    )
    emulator.updateRecord(id, { Name: 'Camp stove', Description: 'Two burners' })
    await waitFor(
      'a rename',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.name === 'Camp stove' && p.description === 'Two burners',
      3000,
    )
    emulator.setStandardPrice(id, 54.5)
    await waitFor(
      'a reprice',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.price === 54.5,
      3000,
    )
    emulator.updateRecord(id, { IsActive: false })
    await waitFor(
      'an archive',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.active === false,
      3000,
    )
    emulator.updateRecord(id, { IsActive: true })
    await waitFor(
      'a reactivation',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.active === true,
      3000,
    )
    emulator.deleteRecord(id)
    await waitFor(
      'a delete (archived, never deleted)',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.active === false,
      3000,
    )
    emulator.undeleteRecord(id)
    await waitFor(
      'an undelete',
      () => bySku(app, 'STOVE-1'),
      (p) => p?.active === true && p.price === 54.5,
      3000,
    )
    // A standard price set later makes the unpriced product sellable.
    emulator.setStandardPrice(noPrice?.Id as string, 3)
    await waitFor(
      'a first price',
      () => bySku(app, 'NO-PRICE'),
      (p) => p?.active === true && p.price === 3,
      3000,
    )

    // Each holder reports its stream's state with its lease, every 5 s.
    const orgs = await waitFor(
      'a live subscription on /healthz',
      async () => (await app.inject({ url: '/healthz' })).json().catalogSync.orgs,
      (all) => all[0]?.state === 'live',
      7000,
    )
    expect(orgs).toEqual([
      expect.objectContaining({ org: 'default', master: true, state: 'live', lastAppliedAt: expect.any(String) }),
    ])
    // The status page's figures say the same.
    const admin = await app.inject({
      url: '/admin/orgs',
      headers: adminHeaders,
    })
    expect(admin.json()).toEqual([
      expect.objectContaining({
        orgKey: 'default',
        catalogChanges: { state: 'live', lastAppliedAt: expect.any(String), delaySeconds: expect.any(Number) },
      }),
    ])
    const page = await app.inject({ url: '/admin', headers: adminHeaders })
    expect(page.body).toContain('data-figure="catalogChanges.state">live<')
  })

  it("answers 409 CATALOG_FROM_SALESFORCE to flowcart's own catalog writes, and still takes stock", async () => {
    const { app } = await setUp()
    const [first] = await imported(app)
    const create = await app.inject({
      method: 'POST',
      url: '/products',
      headers: authHeaders,
      payload: { sku: 'NEW-1', name: 'New', price: 1, currencyCode: 'USD' },
    })
    expect(create.statusCode).toBe(409)
    expect(create.json()).toMatchObject({ code: 'CATALOG_FROM_SALESFORCE' })
    const update = await app.inject({
      method: 'PATCH',
      url: `/products/${first?.id}`,
      headers: authHeaders,
      payload: { name: 'Renamed here' },
    })
    expect(update.json()).toMatchObject({ statusCode: 409, code: 'CATALOG_FROM_SALESFORCE' })
    expect((await bySku(app, first?.sku as string))?.name).toBe(first?.name)
    const stock = await app.inject({
      method: 'PUT',
      url: `/inventory/${first?.id}`,
      headers: authHeaders,
      payload: { quantityInStock: 7 },
    })
    expect(stock.statusCode).toBe(200)
  })

  it("causes no catalog change with flowcart's own stock writes, and overwrites anyone else's stock edit within 10 s", async () => {
    const { emulator, app, testbed } = await setUp()
    const list = await imported(app)
    const tent = list.find((p) => p.sku === 'FC-TENT-2P') as Listed
    await app.inject({
      method: 'PUT',
      url: `/inventory/${tent.id}`,
      headers: authHeaders,
      payload: { quantityInStock: 40 },
    })
    // getInventory writes every level into Product2 as flowcart (Sforce-Call-Options: client=flowcart).
    const inventory = await app.inject({ url: '/inventory', headers: authHeaders })
    expect(inventory.statusCode).toBe(200)
    const record = () => emulator.records().find((r) => r.ProductCode === 'FC-TENT-2P')
    expect(record()?.Qty_In_Stock__c).toBe(40)
    const before = await bySku(app, 'FC-TENT-2P')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await bySku(app, 'FC-TENT-2P')).toEqual(before)
    expect(testbed.logs.some((line) => line.includes('stock edited in Salesforce'))).toBe(false)

    // Someone edits the stock in Salesforce: flowcart's level goes back within 10 s, and the edit is logged.
    emulator.updateRecord(record()?.Id as string, { Qty_In_Stock__c: 999 })
    await waitFor(
      'the overwrite',
      async () => record()?.Qty_In_Stock__c,
      (qty) => qty === 40,
      10_000,
    )
    expect((await bySku(app, 'FC-TENT-2P'))?.quantityInStock).toBe(40)
    expect(
      testbed.logs.some((line) => line.includes("overwritten with flowcart's level") && line.includes('999')),
    ).toBe(true)
  })

  it('accepts a stock edit made in Salesforce as setInventory when SF_CATALOG_STOCK_EDITS=accept', async () => {
    const { emulator, app } = await setUp({ SF_CATALOG_STOCK_EDITS: 'accept' })
    await imported(app)
    const record = emulator.records().find((r) => r.ProductCode === 'FC-TENT-2P')
    emulator.updateRecord(record?.Id as string, { Qty_In_Stock__c: 25 })
    await waitFor(
      'the accepted edit',
      () => bySku(app, 'FC-TENT-2P'),
      (p) => p?.quantityInStock === 25,
      10_000,
    )
  })

  it('re-imports after a refused replay id, and re-reads the record a gap event names: the catalog ends consistent', async () => {
    const { emulator, pubsub, app, start } = await setUp()
    await imported(app)
    const record = emulator.records().find((r) => r.ProductCode === 'FC-BAG-0C') as { Id: string }

    // A gap event instead of the change event: flowcart reads the record itself.
    pubsub.gapNextChanges(1)
    emulator.updateRecord(record.Id, { Name: 'Renamed behind a gap' })
    await waitFor(
      'the gap re-read',
      () => bySku(app, 'FC-BAG-0C'),
      (p) => p?.name === 'Renamed behind a gap',
      3000,
    )

    // Stopped with a replay id stored; changed meanwhile; the stored id refused at restart: a whole import.
    await waitFor(
      'a stored replay id',
      async () => (await app.inject({ url: '/healthz' })).json().catalogSync.orgs[0].lastAppliedAt,
      (at) => typeof at === 'string',
      3000,
    )
    await app.close()
    emulator.updateRecord(record.Id, { Name: 'Renamed while away' })
    emulator.setStandardPrice(record.Id, 77)
    pubsub.corruptNextReplay()
    const restarted = await start()
    await waitFor(
      'the re-import',
      () => bySku(restarted, 'FC-BAG-0C'),
      (p) => p?.name === 'Renamed while away' && p.price === 77,
      15_000,
    )
    // And it follows from there on.
    emulator.updateRecord(record.Id, { Name: 'After the re-import' })
    await waitFor(
      'the next change',
      () => bySku(restarted, 'FC-BAG-0C'),
      (p) => p?.name === 'After the re-import',
      5000,
    )
  })

  it('resubscribes within 10 s after the stream fails or the connection drops, and loses nothing', async () => {
    const { emulator, pubsub, app } = await setUp()
    await imported(app)
    await waitFor(
      'a live stream',
      async () => (await app.inject({ url: '/healthz' })).json().catalogSync.orgs[0].state,
      (state) => state === 'live',
      10_000,
    )
    const record = emulator.records().find((r) => r.ProductCode === 'FC-TENT-2P') as { Id: string }
    pubsub.failStreams()
    emulator.updateRecord(record.Id, { Name: 'During an outage' })
    await waitFor(
      'after UNAVAILABLE',
      () => bySku(app, 'FC-TENT-2P'),
      (p) => p?.name === 'During an outage',
      10_000,
    )
    pubsub.dropConnections()
    emulator.updateRecord(record.Id, { Name: 'After a drop' })
    await waitFor(
      'after a dropped connection',
      () => bySku(app, 'FC-TENT-2P'),
      (p) => p?.name === 'After a drop',
      10_000,
    )
  })
})
