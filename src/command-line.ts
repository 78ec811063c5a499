// What the operator's commands (npm run catalog:import, npm run orgs) share: a database opened and prepared for one
// piece of work, and a failure told in one line. A command's output is its interface, so it writes to stdout and
// stderr, not to a logger.
import { type Config, loadConfig } from './config.js'
import { type Database, openDatabase } from './db/connect.js'
import { DomainError } from './errors.js'
import { prepareDatabase } from './prepare-database.js'
import { startUpProblem } from './start-up-errors.js'

/** The database of DATABASE_URL, migrated (never seeded), for `work`; closed after it. */
export async function withDatabase<T>(work: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const db = await openDatabase(config.databaseUrl, { poolSize: 1 })
  try {
    await prepareDatabase(db, { seedDemoData: false })
    return await work(db, config)
  } finally {
    await db.close()
  }
}

/**
 * Runs `main` with the command line and exits with its code. A failure the operator can fix (what the business
 * refuses, what start-up would refuse too: configuration, database) is one line with its fix, `told` how this
 * command words it; anything else is a bug, shown whole.
 */
export async function runCommand(main: (args: string[]) => Promise<number>, told: (problem: string) => string) {
  try {
    process.exitCode = await main(process.argv.slice(2))
  } catch (error) {
    const problem =
      startUpProblem(error, { databaseUrl: process.env.DATABASE_URL }) ??
      (error instanceof DomainError ? error.message : undefined)
    process.stderr.write(told(problem ?? String((error as Error)?.stack ?? error)))
    process.exitCode = 1
  }
}
