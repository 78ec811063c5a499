// Heroku release phase (scripts/migrate.ts): applies pending migrations (and seeds the demo catalog into an empty
// database). A command: what it prints on stdout and stderr is its interface, so it writes there, not to a logger.
import { loadConfig } from './config.js'
import { openDatabase } from './db/connect.js'
import { prepareDatabase } from './prepare-database.js'
import { startUpProblem } from './start-up-errors.js'

try {
  const config = loadConfig()
  const db = await openDatabase(config.databaseUrl, { poolSize: 1 })
  const seeded = await prepareDatabase(db, { seedDemoData: config.seedDemoData })
  await db.close()
  process.stdout.write(`flowcart: database ${db.engine} is up to date (${seeded} demo products seeded).\n`)
} catch (error) {
  // One line for what the operator can fix (start-up-errors.ts), the full error for a bug. Either way exit 1 at
  // once: the release fails and the previous release keeps serving.
  const problem = startUpProblem(error, { databaseUrl: process.env.DATABASE_URL })
  process.stderr.write(
    problem
      ? `flowcart cannot migrate: ${problem}\n`
      : `flowcart failed to migrate: ${String((error as Error)?.stack ?? error)}\n`,
  )
  process.exit(1)
}
