// A real headless browser for the tests: Debian's chromium, driven by playwright-core (which brings no browser of its
// own). Without it the browser tests are skipped with a line that says so, unless REQUIRE_BROWSER=true (CI), where
// its absence fails the run, as REQUIRE_POSTGRES does for PostgreSQL.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core'
import { registerCleanup } from '../helper.js'

export const CHROMIUM_PATH = process.env.TEST_CHROMIUM_PATH ?? '/usr/bin/chromium'

function browserProblem(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK)
    return undefined
  } catch {
    return `${CHROMIUM_PATH} is not there (apt-get install chromium)`
  }
}

const problem = browserProblem()
if (problem && process.env.REQUIRE_BROWSER === 'true') {
  throw new Error(`REQUIRE_BROWSER=true but no browser: ${problem}`)
}
if (problem) {
  console.warn(`\n*** Browser tests SKIPPED: ${problem}. Set TEST_CHROMIUM_PATH or run .ci/run. ***\n`)
}
export const browserAvailable = problem === undefined

/**
 * Chromium on a fresh profile (a new user-data-dir, removed afterwards) that makes no calls of its own, as one browser
 * context with `options` (credentials, viewport); closed after the test.
 */
export async function launchBrowser(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'flowcart-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  registerCleanup(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  return context
}
