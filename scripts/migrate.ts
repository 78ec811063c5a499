// Heroku release phase: applies pending migrations (and seeds the demo catalog into an empty database).
import { ConfigError, loadConfig } from '../src/config.js'
import { describeDatabaseUrl, openStore } from '../src/store/index.js'
import { StoredDataError } from '../src/store/migrations.js'

try {
  const config = loadConfig()
  const store = await openStore({ databaseUrl: config.databaseUrl, seedDemoData: config.seedDemoData, poolSize: 1 })
  await store.close()
  console.log(
    `flowcart: database ${describeDatabaseUrl(config.databaseUrl).engine} is up to date (${store.seeded} demo products seeded).`,
  )
} catch (error) {
  const operatorCanFix = error instanceof ConfigError || error instanceof StoredDataError
  console.error(operatorCanFix ? `flowcart cannot migrate: ${error.message}` : error)
  process.exit(1)
}
