// The server: reads the environment, listens on $PORT, and shuts down gracefully on SIGTERM (Heroku allows 30 s).
import type { AddressInfo } from 'node:net'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { createLogger } from './logger.js'
import { type RememberedPassword, rememberedPassword } from './remembered-password.js'
import { type StartUpContext, startUpProblem } from './start-up-errors.js'
import { startUpSummary } from './start-up-summary.js'

const SHUTDOWN_DEADLINE_MS = 25_000
/** A request still arriving when shutdown begins gets this long to arrive; then its connection is closed. */
const SHUTDOWN_RECEIVE_GRACE_MS = 2_000

/** What start-up knows so far, to name the cause if it fails. */
const context: StartUpContext = { databaseUrl: process.env.DATABASE_URL }

async function main() {
  let remembered: RememberedPassword | undefined
  const config = loadConfig(process.env, {
    passwordWhenUnset: (databaseUrl) => {
      remembered = rememberedPassword(databaseUrl)
      return remembered.password
    },
  })
  context.listen = { variable: config.appLink ? 'APP_PORT' : 'PORT', port: config.port, host: config.host }
  const logger = createLogger(config.logLevel)
  const app = await buildApp(config, { logger })
  await app.listen({ port: config.port, host: config.host })

  if (config.production && !config.databaseUrl) {
    logger.warn(
      'NODE_ENV=production without DATABASE_URL: orders go to a SQLite file, lost if this disk is ephemeral (Heroku)',
    )
  }
  // On its own lines rather than in a log line: a person reads it, and a log line never carries the remembered
  // password, which the summary prints for a local run.
  const { port } = app.server.address() as AddressInfo
  process.stdout.write(startUpSummary(config, { host: config.host, port, onDyno: 'DYNO' in process.env }, remembered))

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    const deadline = setTimeout(() => {
      logger.error('in-flight requests did not finish in time; exiting')
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS)
    deadline.unref()
    app.connections.releaseForShutdown(SHUTDOWN_RECEIVE_GRACE_MS)
    app.close().then(
      () => {
        logger.info('shut down cleanly')
        process.exit(0)
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  // One clear line, no stack trace, for what the operator can fix (start-up-errors.ts); the full error otherwise.
  // stderr, not the logger: the logger may not exist yet, and this line is the whole of what the operator reads.
  const problem = startUpProblem(error, context)
  process.stderr.write(
    problem
      ? `flowcart cannot start: ${problem}\n`
      : `flowcart failed to start: ${String((error as Error)?.stack ?? error)}\n`,
  )
  process.exit(1)
})
