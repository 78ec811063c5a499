// Behind Heroku's router TLS ends at the router, which tells the dyno how the client connected in X-Forwarded-Proto
// (https://devcenter.heroku.com/articles/http-routing#heroku-headers). Plain HTTP is refused in production, before
// any credential is looked at, and HTTPS answers ask clients to stay on HTTPS.
import type { FastifyInstance } from 'fastify'
import { HttpError } from './http-error.js'

// One year; without includeSubDomains, so other hosts under a custom domain are not affected.
const STRICT_TRANSPORT_SECURITY = 'max-age=31536000'

/** Registered only when the proxy in front is trusted (`trustProxy`), so that `request.protocol` reads the header. */
export function requireHttps(app: FastifyInstance, { refusePlainHttp }: { refusePlainHttp: boolean }) {
  app.addHook('onRequest', (request, reply, done) => {
    // No proxy in front (a local run): the request is served as it came.
    if (request.headers['x-forwarded-proto'] === undefined) return done()
    if (request.protocol === 'https') {
      reply.header('strict-transport-security', STRICT_TRANSPORT_SECURITY)
      return done()
    }
    // No redirect: a client that follows it would send its password in clear a second time.
    if (refusePlainHttp) {
      return done(
        new HttpError(403, 'HTTPS_REQUIRED', `Use https://${request.host}${request.url}: plain HTTP is refused.`),
      )
    }
    done()
  })
}
