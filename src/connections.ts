// The server's open connections: what each is doing, room made under the cap, and their release on shutdown.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface Exchange {
  request: IncomingMessage
  response: ServerResponse
}

interface Connection {
  /** Answers begun or queued on it and not yet sent in full, oldest first (several when requests are pipelined). */
  unsent: Set<ServerResponse>
  /** The latest request read on it. */
  latest?: Exchange
  /** `socket.bytesRead` when it last had nothing to do: nothing to answer and nothing new received after that. */
  restingAt: number
}

export interface Connections {
  /** The latest request read on `socket`, and the answers on it not yet sent in full, oldest first. */
  exchangesOn(socket: Socket): { latest?: Exchange; unsent: ServerResponse[] }
  /** Closes the idle connections now and as others fall idle; after `graceMs`, those still sending a request too. */
  releaseForShutdown(graceMs: number): void
}

/**
 * Tracks every connection from the moment it opens. Past `maxConnections`, a newcomer takes the place of a
 * connection that nothing is being answered on: first one idle (silent since it opened, or kept alive between
 * requests), the one idle longest first; then one still sending a request that has not reached a route. Only when
 * every connection is being answered is the newcomer closed. A client may close an idle connection at any time and
 * the same holds for the server (RFC 9112 §9.5), so a keep-alive client opens a new one.
 */
export function watchConnections(server: Server, { maxConnections }: { maxConnections: number }): Connections {
  // In the order they last fell idle (or opened): the first idle one found has been idle longest.
  const open = new Map<Socket, Connection>()

  const makeRoomFor = (newcomer: Socket) => {
    let unanswered: Socket | undefined
    for (const [socket, connection] of open) {
      if (socket === newcomer || connection.unsent.size > 0) continue
      if (socket.bytesRead === connection.restingAt) return socket.destroy()
      unanswered ??= socket
    }
    ;(unanswered ?? newcomer).destroy()
  }

  server.on('connection', (socket: Socket) => {
    open.set(socket, { unsent: new Set(), restingAt: 0 })
    socket.once('close', () => open.delete(socket))
    if (open.size > maxConnections) makeRoomFor(socket)
  })
  // Before Fastify's listener, which may answer at once.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const connection = open.get(request.socket as Socket)
    if (!connection) return
    connection.latest = { request, response }
    connection.unsent.add(response)
    response.once('close', () => {
      connection.unsent.delete(response)
      if (connection.unsent.size > 0) return
      connection.restingAt = request.socket.bytesRead
      // Re-inserted: the Map stays ordered by when each connection fell idle.
      open.delete(request.socket as Socket)
      if (!request.socket.destroyed) open.set(request.socket as Socket, connection)
    })
  })

  /** A handler is working on this connection: its request has fully arrived and the answer is not sent yet. */
  const beingAnswered = (socket: Socket) => {
    const exchange = open.get(socket)?.latest
    return exchange?.request.complete === true && !exchange.response.writableFinished
  }

  return {
    exchangesOn(socket) {
      const connection = open.get(socket)
      return { latest: connection?.latest, unsent: [...(connection?.unsent ?? [])] }
    },
    /**
     * Closing the listener lets the requests in flight finish, but two kinds of connection would still hold the
     * process until Heroku's SIGKILL: a keep-alive connection that falls idle after its last answer (Node closes idle
     * ones only once, when the listener closes), and a client that is still sending its request, slowly or not at
     * all (Node stops enforcing its request timeouts once the listener is closed).
     */
    releaseForShutdown(graceMs) {
      const started = Date.now()
      const timer = setInterval(() => {
        if (Date.now() - started < graceMs) return server.closeIdleConnections()
        for (const socket of open.keys()) if (!beingAnswered(socket)) socket.destroy()
      }, 100)
      timer.unref()
      server.closeIdleConnections()
    },
  }
}
