// Before a database serves: its tables brought up to date, and the demo catalog seeded into it when asked and empty.
// The app runs it on start-up, the release phase and the catalog import before their work.
import { seedDemoCatalog } from './catalog/demo-catalog.js'
import type { Database } from './db/connect.js'
import { migrate } from './db/migrations.js'

/** How many demo products were seeded (0 when not asked, or when the database had products). */
export async function prepareDatabase(db: Database, { seedDemoData }: { seedDemoData: boolean }): Promise<number> {
  await migrate(db.kysely, db.engine)
  return seedDemoData ? seedDemoCatalog(db.kysely) : 0
}
