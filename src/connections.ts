// The server's open connections, so that a shutdown can close every one that no handler is answering.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Closing the listener lets the requests in flight finish, but two kinds of connection would still hold the process
 * until Heroku's SIGKILL: a keep-alive connection that falls idle after its last answer (Node closes idle ones only
 * once, when the listener closes), and a client that is still sending its request, slowly or not at all (Node stops
 * enforcing its request timeouts once the listener is closed).
 */
export function watchConnections(server: Server) {
  const sockets = new Set<Socket>()
  const latest = new WeakMap<Socket, { request: IncomingMessage; response: ServerResponse }>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    latest.set(request.socket, { request, response })
  })

  /** A handler is working on this connection: its request has fully arrived and the answer is not sent yet. */
  const beingAnswered = (socket: Socket) => {
    const exchange = latest.get(socket)
    return exchange?.request.complete === true && !exchange.response.writableFinished
  }

  return {
    /** Closes the idle connections now and as others fall idle; after `graceMs`, those still sending a request too. */
    releaseForShutdown(graceMs: number) {
      const started = Date.now()
      const timer = setInterval(() => {
        if (Date.now() - started < graceMs) return server.closeIdleConnections()
        for (const socket of sockets) if (!beingAnswered(socket)) socket.destroy()
      }, 100)
      timer.unref()
      server.closeIdleConnections()
    },
  }
}
