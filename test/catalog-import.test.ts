// npm run catalog:import: a first catalog from a CSV file or standard input, one transaction, matched by SKU.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importProducts } from '../src/catalog/import-products.js'
import { readProductCsv } from '../src/catalog/product-csv.js'
import { stockEventOutbox } from '../src/outbox/stock-event-outbox.js'
import { generateKeyPair } from '../tools/salesforce-emulator/index.js'
import { engines, openTestDatabase, sharedDatabaseUrlFor } from './helper.js'
import { selectRows } from './support/database-rows.js'

const CATALOG = `sku,name,description,price,currencyCode,active,quantityInStock
FC-MUG-350,Enamel Mug 350 ml,"Steel mug, enamel coated",14.50,USD,true,40
FC-SPORK,Titanium Spork,,7,USD,,
FC-OLD-LAMP,Headlamp 200,Replaced by the 400.,19.90,USD,false,3
`

function importCatalog(
  databaseUrl: string,
  csv: string,
  how: 'file' | 'stdin' = 'file',
  env: Record<string, string> = {},
) {
  const file = join(mkdtempSync(join(tmpdir(), 'flowcart-import-')), 'products.csv')
  writeFileSync(file, csv)
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/import-catalog.ts', how === 'file' ? file : '-'],
    {
      input: how === 'stdin' ? csv : undefined,
      env: { ...process.env, DATABASE_URL: databaseUrl, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
    },
  )
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

interface StoredProduct {
  sku: string
  name: string
  description: string
  price_cents: number | string
  quantity_in_stock: number
  archived: number | boolean
  updated_at: string | Date
}
const storedProducts = (databaseUrl: string) =>
  selectRows<StoredProduct>(
    databaseUrl,
    `select sku, name, description, price_cents, quantity_in_stock, archived_at is not null as archived, updated_at
     from products order by sku`,
  )

describe.each(engines)('catalog:import on %s', (engine) => {
  it('loads a file into an empty catalog, and the same file again changes nothing', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const first = importCatalog(databaseUrl, CATALOG)
    expect(first).toMatchObject({ status: 0, stderr: '' })
    expect(first.stdout).toContain('3 products, 3 created, 0 changed, 0 unchanged')
    const stored = await storedProducts(databaseUrl)
    expect(
      stored.map(({ sku, name, description, price_cents, quantity_in_stock, archived }) => ({
        sku,
        name,
        description,
        cents: Number(price_cents),
        stock: quantity_in_stock,
        archived: Boolean(archived),
      })),
    ).toEqual([
      {
        sku: 'FC-MUG-350',
        name: 'Enamel Mug 350 ml',
        description: 'Steel mug, enamel coated',
        cents: 1450,
        stock: 40,
        archived: false,
      },
      {
        sku: 'FC-OLD-LAMP',
        name: 'Headlamp 200',
        description: 'Replaced by the 400.',
        cents: 1990,
        stock: 3,
        archived: true,
      },
      { sku: 'FC-SPORK', name: 'Titanium Spork', description: '', cents: 700, stock: 0, archived: false },
    ])

    const again = importCatalog(databaseUrl, CATALOG, 'stdin')
    expect(again.status).toBe(0)
    expect(again.stdout).toContain('Imported standard input')
    expect(again.stdout).toContain('3 products, 0 created, 0 changed, 3 unchanged')
    expect(await storedProducts(databaseUrl)).toEqual(stored)
  })

  it('changes what differs by SKU: a new price, a stock, a product taken off sale', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    importCatalog(databaseUrl, CATALOG)
    const changed = importCatalog(
      databaseUrl,
      `sku,price,name,currencyCode,active,quantityInStock
FC-MUG-350,15.00,Enamel Mug 350 ml,USD,,
FC-SPORK,7,Titanium Spork,USD,false,
FC-POT-1L,29,Pot 1 l,USD,,8
`,
    )
    expect(changed.stdout).toContain('3 products, 1 created, 2 changed, 0 unchanged')
    const stored = await storedProducts(databaseUrl)
    expect(
      stored.map((row) => [row.sku, Number(row.price_cents), row.quantity_in_stock, Boolean(row.archived)]),
    ).toEqual([
      ['FC-MUG-350', 1500, 40, false],
      ['FC-OLD-LAMP', 1990, 3, true],
      ['FC-POT-1L', 2900, 8, false],
      ['FC-SPORK', 700, 0, true],
    ])
  })

  it('refuses the whole file when one row is wrong, naming each line, and keeps the catalog as it was', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    importCatalog(databaseUrl, CATALOG)
    const before = await storedProducts(databaseUrl)
    const refused = importCatalog(
      databaseUrl,
      `sku,name,price,currencyCode,quantityInStock
FC-MUG-350,Renamed mug,14.50,USD,1
FC-NEW-1,New one,3.999,USD,
FC-NEW-2,Other,3,usd,
FC-NEW-3,Third,3,USD,-4
FC-MUG-350,Twice,1,USD,
FC-NEW-4,Short row
`,
    )
    expect(refused.status).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr.split('\n').filter(Boolean)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('line 3: price "3.999"'),
        expect.stringContaining('line 4: currencyCode'),
        expect.stringContaining('line 5: quantityInStock "-4"'),
        expect.stringContaining('line 6: SKU FC-MUG-350 is on line 2 too'),
        expect.stringContaining('line 7: 2 cells'),
        'Nothing was imported: fix the lines above and import the file again.',
      ]),
    )
    expect(await storedProducts(databaseUrl)).toEqual(before)
  })

  it('refuses to run while the catalog follows Salesforce, and imports nothing', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const refused = importCatalog(databaseUrl, CATALOG, 'file', {
      SF_PRIVATE_KEY: generateKeyPair().privateKey,
      SF_CATALOG_FROM_SALESFORCE: 'true',
      SF_CATALOG_MASTER_ORG: '00D5g000004AbCd',
    })
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/The catalog follows Salesforce.*\nNothing was imported\.\n$/s)
    expect(await storedProducts(databaseUrl)).toEqual([])
  })

  it('refuses an unknown or missing column on the first line', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    importCatalog(databaseUrl, CATALOG)
    const before = await storedProducts(databaseUrl)
    const refused = importCatalog(databaseUrl, 'sku,name,cost,currencyCode\nA,B,1,USD\n')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain('line 1: unknown column "cost"')
    expect(refused.stderr).toContain('line 1: column price is missing')
    expect(await storedProducts(databaseUrl)).toEqual(before)
  })

  it('records each stock level it sets for Salesforce, in the same transaction', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl, { seedDemoData: false })
    const { rows } = readProductCsv(CATALOG)
    expect(await importProducts(db, stockEventOutbox({ recording: () => true }), rows)).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      stockSet: 3,
    })
    expect(await importProducts(db, stockEventOutbox({ recording: () => true }), rows)).toMatchObject({
      unchanged: 3,
      stockSet: 0,
    })
    const events = await selectRows<{ sku: string; quantity_in_stock: number }>(
      databaseUrl,
      'select sku, quantity_in_stock from stock_events order by sku',
    )
    expect(events).toEqual([
      { sku: 'FC-MUG-350', quantity_in_stock: 40 },
      { sku: 'FC-OLD-LAMP', quantity_in_stock: 3 },
      { sku: 'FC-SPORK', quantity_in_stock: 0 },
    ])
  })
})

describe('catalog:import without its database', () => {
  it('stops with one line naming the cause and saying that nothing was imported', () => {
    const refused = importCatalog('postgres://postgres:secret-pw@127.0.0.1:5499/flowcart', CATALOG)
    expect(refused.status).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('ECONNREFUSED 127.0.0.1:5499')
    expect(refused.stderr).toMatch(/Nothing was imported\.\n$/)
    expect(refused.stderr).not.toContain('secret-pw')
    expect(refused.stderr).not.toMatch(/\n\s+at /)
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(2)
  })
})
