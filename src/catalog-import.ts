// npm run catalog:import -- <file.csv | ->: loads products from a CSV file (or standard input) into the catalog, in
// one transaction, matched by SKU (scripts/import-catalog.ts checks the Node version, then runs this). It runs from
// the pruned slug, so a one-off dyno can load a file piped to it:
//   heroku run --no-tty -x -- npm run -s catalog:import -- - < products.csv
// (heroku/cli docs/run.md: --no-tty for a pipe, -x to pass the exit code on). A command: what it prints is its
// interface, so it writes to stdout (the outcome) and stderr (each problem with its line), not to a logger.
import { readFileSync } from 'node:fs'
import { importProducts } from './catalog/import-products.js'
import { readProductCsv } from './catalog/product-csv.js'
import { runCommand, withDatabase } from './command-line.js'
import { CatalogFromSalesforce } from './errors.js'
import { stockEventOutbox } from './outbox/stock-event-outbox.js'
import { publishesToAnyOrg } from './publishing/publish-targets.js'

/** Problems listed before the rest are only counted: a file of 10,000 bad rows should not flood the terminal. */
const PROBLEMS_SHOWN = 20
const USAGE = 'usage: npm run catalog:import -- <products.csv | - for standard input>'

async function main(args: string[]): Promise<number> {
  const [source, ...extra] = args
  if (!source || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  const name = source === '-' ? 'standard input' : source
  const { rows, problems } = readProductCsv(readFileSync(source === '-' ? 0 : source))
  if (problems.length > 0) {
    for (const problem of problems.slice(0, PROBLEMS_SHOWN)) process.stderr.write(`${name}: ${problem}\n`)
    if (problems.length > PROBLEMS_SHOWN) {
      process.stderr.write(`${name}: ... and ${problems.length - PROBLEMS_SHOWN} more problems\n`)
    }
    process.stderr.write(`Nothing was imported: fix the lines above and import the file again.\n`)
    return 1
  }
  return withDatabase(async (db, config) => {
    if (config.catalogSync) {
      process.stderr.write(`${new CatalogFromSalesforce().message}\nNothing was imported.\n`)
      return 1
    }
    // The rows land in the outbox; the web dynos' publishers find them on their next poll.
    const recording = await publishesToAnyOrg(db.kysely, config.salesforce, config.appLink !== undefined)
    const stockEvents = stockEventOutbox({ recording: () => recording })
    const outcome = await importProducts(db, stockEvents, rows)
    process.stdout.write(
      `Imported ${name} into ${db.engine}: ${rows.length} products, ${outcome.created} created, ` +
        `${outcome.updated} changed, ${outcome.unchanged} unchanged.\n`,
    )
    return 0
  })
}

await runCommand(main, (problem) => `flowcart cannot import: ${problem}\nNothing was imported.\n`)
