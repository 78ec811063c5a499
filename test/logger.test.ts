// Secrets never reach the logs, whichever logged object carries them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger, loggedObjects } from '../src/logger.js'
import { captureLines } from './support/log-capture.js'

function capture() {
  const { stream, text } = captureLines()
  return { logger: createLogger('info', stream), text }
}

describe('logger', () => {
  it('redacts credentials, keys and tokens in the objects a log line carries', () => {
    const { logger, text } = capture()
    const requestLogger = logger.child({ reqId: 'req-1' })

    requestLogger.info({ req: { headers: { authorization: 'Basic c2VjcmV0LWhlYWRlcg==' } } }, 'incoming')
    requestLogger.info({ req: { headers: { 'x-client-context': 'c2VjcmV0LWNvbnRleHQ=' } } }, 'incoming')
    requestLogger.error({ err: Object.assign(new Error('boom'), { accessToken: 'secret-token' }) }, 'failed')
    logger.info({ config: { apiPassword: 'secret-password', apiPasswords: ['secret-old'] } }, 'config')
    logger.info({ settings: { privateKey: 'secret-key', assertion: 'secret-assertion' } }, 'settings')

    const written = text()
    expect(written).not.toMatch(/secret|c2VjcmV0/)
    expect(written.match(/\[redacted\]/g)).toHaveLength(7)
    expect(written).toContain('"reqId":"req-1"')
  })
})

describe('log calls in src/', () => {
  // Keys whose values are plain figures or words the code itself chose, never secrets.
  const plainKeys = new Set([
    'authorizationName',
    // The catalog following Salesforce: counts of an import, a change event's record Ids, kind and topic, and the
    // stock levels of an edit (src/catalog-sync/).
    'archived',
    'changeType',
    'created',
    'edited',
    'editedBy',
    'eventId',
    'failures',
    'previous',
    'product2Id',
    'products',
    'recordId',
    'recordIds',
    'restored',
    'skipped',
    'sku',
    'topic',
    'updated',
    // A gRPC status's message: the Pub/Sub API's words or the TLS check's; no credential travels in it.
    'detail',
    'code',
    'count',
    'currency',
    'durationMs',
    'events',
    'failed',
    'instanceHost',
    'ip',
    'items',
    'method',
    'orderId',
    // An org's 18-character Id, or 'default' for the single-org configuration.
    'org',
    'orgId',
    'orgKey',
    'parserError',
    'productId',
    'published',
    'quantity',
    'reason',
    'retryAt',
    'rows',
    'signal',
    'statusCode',
    'total',
    'username',
    // How flowcart signs in to an org: jwt or applink.
    'via',
  ])

  it('pass objects only under names the redaction covers, or plain figures', () => {
    const problems: string[] = []
    for (const file of sourceFiles('src')) {
      const text = readFileSync(file, 'utf8')
      for (const call of text.matchAll(/\b(?:log|logger)\.(?:trace|debug|info|warn|error|fatal)\(\s*/g)) {
        const rest = text.slice((call.index ?? 0) + call[0].length)
        if (/^['`]/.test(rest)) continue
        const literal = /^\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/.exec(rest)
        if (!literal) {
          problems.push(`${file}: a log call whose first argument is neither a message nor an object literal`)
          continue
        }
        const keys = (literal[1] ?? '')
          .replace(/\{[^{}]*\}/g, '{}')
          .split(',')
          .map((part) => part.split(':')[0]?.trim() ?? '')
          .filter(Boolean)
        for (const key of keys) {
          if (!plainKeys.has(key) && !loggedObjects.includes(key)) problems.push(`${file}: logs "${key}"`)
        }
      }
    }
    expect(problems).toEqual([])
  })
})

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name))
}
