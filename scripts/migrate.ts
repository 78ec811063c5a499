// Heroku release phase: applies pending migrations (and seeds the demo catalog into an empty database).
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/connect.js'
import { StoredDataError } from '../src/db/migrations.js'
import { ConfigError } from '../src/environment-variables.js'
import { openStore } from '../src/store.js'

try {
  const config = loadConfig()
  const store = await openStore(await openDatabase(config.databaseUrl, { poolSize: 1 }), {
    seedDemoData: config.seedDemoData,
  })
  await store.close()
  console.log(`flowcart: database ${store.engine} is up to date (${store.seeded} demo products seeded).`)
} catch (error) {
  const operatorCanFix = error instanceof ConfigError || error instanceof StoredDataError
  console.error(operatorCanFix ? `flowcart cannot migrate: ${error.message}` : error)
  process.exit(1)
}
