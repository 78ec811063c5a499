// A TCP relay between flowcart and PostgreSQL that can lose a connection at a chosen moment, as a failover does.
import { connect, createServer, type Socket } from 'node:net'
import { registerCleanup } from '../helper.js'

export interface PostgresProxy {
  /** `url` with its host and port replaced by the relay's. */
  url: string
  /**
   * The next time PostgreSQL reports a COMMIT done, the relay swallows that answer and cuts the connection: the
   * transaction is committed, and flowcart never hears so.
   */
  loseNextCommitAnswer(): Promise<void>
}

// A CommandComplete message ('C', its length, then the tag) whose tag is COMMIT (PostgreSQL frontend/backend
// protocol: https://www.postgresql.org/docs/current/protocol-message-formats.html).
const COMMIT_COMPLETE = Buffer.concat([Buffer.from('C'), Buffer.from([0, 0, 0, 11]), Buffer.from('COMMIT\0')])

export async function startPostgresProxy(databaseUrl: string): Promise<PostgresProxy> {
  const target = new URL(databaseUrl)
  const sockets = new Set<Socket>()
  let commitAnswerLost: (() => void) | undefined

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
    }
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk: Buffer) => {
      if (commitAnswerLost && chunk.includes(COMMIT_COMPLETE)) {
        const lost = commitAnswerLost
        commitAnswerLost = undefined
        client.destroy()
        upstream.destroy()
        lost()
        return
      }
      client.write(chunk)
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  registerCleanup(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  const url = new URL(databaseUrl)
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    url: url.toString(),
    loseNextCommitAnswer: () =>
      new Promise<void>((resolve) => {
        commitAnswerLost = resolve
      }),
  }
}
