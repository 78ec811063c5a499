// Secrets never reach the logs, whichever logged object carries them.
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.js'
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
    requestLogger.error({ err: Object.assign(new Error('boom'), { accessToken: 'secret-token' }) }, 'failed')
    logger.info({ config: { apiPassword: 'secret-password', apiPasswords: ['secret-old'] } }, 'config')
    logger.info({ settings: { privateKey: 'secret-key', assertion: 'secret-assertion' } }, 'settings')

    const written = text()
    expect(written).not.toMatch(/secret|c2VjcmV0/)
    expect(written.match(/\[redacted\]/g)).toHaveLength(6)
    expect(written).toContain('"reqId":"req-1"')
  })
})
