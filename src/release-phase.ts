// Heroku release phase (scripts/migrate.ts): applies pending migrations (and seeds the demo catalog into an empty
// database). A command: what it prints on stdout and stderr is its interface, so it writes there, not to a logger.
import { loadConfig } from './config.js'
import { openDatabase } from './db/connect.js'
import { StoredDataError } from './db/migrations.js'
import { ConfigError } from './environment-variables.js'
import { openStore } from './store.js'

try {
  const config = loadConfig()
  const store = await openStore(await openDatabase(config.databaseUrl, { poolSize: 1 }), {
    seedDemoData: config.seedDemoData,
  })
  await store.close()
  process.stdout.write(`flowcart: database ${store.engine} is up to date (${store.seeded} demo products seeded).\n`)
} catch (error) {
  const operatorCanFix = error instanceof ConfigError || error instanceof StoredDataError
  process.stderr.write(
    operatorCanFix ? `flowcart cannot migrate: ${error.message}\n` : `${String((error as Error)?.stack ?? error)}\n`,
  )
  process.exit(1)
}
