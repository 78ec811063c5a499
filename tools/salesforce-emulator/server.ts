// One HTTP server of the emulator, the login host or an org's instance host, with the same fidelity rules for both.
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { limitRequestSize } from './request-size.js'

// Node's own limit is 16 KB for the request line and headers together, and it answers 431 itself, even for a long URI;
// raised so that the emulator applies Salesforce's rule instead (request-size.ts).
const NODE_HEADER_BYTES = 64 * 1024

/**
 * `latencyMs`, when given, delays every request after its body is read, like a slow Salesforce: a caller that gives up
 * still has its request applied. The login host serves every org, so it delays by the org a request is for instead.
 */
export async function createServer(latencyMs?: () => number): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    http: { maxHeaderSize: NODE_HEADER_BYTES },
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  })
  limitRequestSize(app)
  if (latencyMs) {
    app.addHook('preHandler', async () => {
      const ms = latencyMs()
      if (ms > 0) await sleep(ms)
    })
  }
  return app
}

export async function listen(app: FastifyInstance, port = 0): Promise<string> {
  await app.listen({ host: '127.0.0.1', port })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}
