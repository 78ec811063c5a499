// Sends bytes straight to a socket, for requests no HTTP client would send, and reads the answer back.
import { connect } from 'node:net'

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  /** The whole answer as received. */
  text: string
}

export function parseAnswer(text: string): RawAnswer {
  const [head = '', ...rest] = text.split('\r\n\r\n')
  const [statusLine = '', ...headerLines] = head.split('\r\n')
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]
    }),
  )
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n'), text }
}

/** True once the text holds a whole answer: its headers and as many body bytes as Content-Length says. */
function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return false
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1]
  return length !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(length)
}

/** Writes `request` and resolves with the answer once it is whole, the server closed the socket, or `waitMs` passed. */
export function sendRaw(port: number, request: string | Buffer, waitMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parseAnswer(Buffer.concat(chunks).toString('utf8')))
    }
    const timer = setTimeout(done, waitMs)
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      if (complete(Buffer.concat(chunks).toString('utf8'))) done()
    })
    socket.on('end', done)
    socket.on('close', done)
    socket.on('error', (error) => (chunks.length > 0 ? done() : reject(error)))
    socket.write(request)
  })
}

export interface RawConnection {
  write(bytes: string | Buffer): void
  /** The next whole answer on this connection. */
  nextAnswer(): Promise<RawAnswer>
  /** Resolves when the server has closed the connection, with every byte it sent. */
  closed: Promise<string>
}

/** One connection, kept open across requests (keep-alive) until the server closes it. */
export function openConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let consumed = 0
    const pending: Array<() => void> = []
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8')
      for (const check of pending.splice(0)) check()
    })
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)))
    socket.on('error', () => {})
    socket.once('connect', () =>
      resolve({
        write: (bytes) => socket.write(bytes),
        closed,
        nextAnswer() {
          return new Promise((answer) => {
            const check = () => {
              const rest = received.slice(consumed)
              if (!complete(rest)) return void pending.push(check)
              const head = rest.indexOf('\r\n\r\n') + 4
              const length = Number(/\r\ncontent-length: *(\d+)/i.exec(rest.slice(0, head))?.[1])
              const whole = Buffer.from(rest)
                .subarray(0, Buffer.byteLength(rest.slice(0, head)) + length)
                .toString()
              consumed += whole.length
              answer(parseAnswer(whole))
            }
            check()
          })
        },
      }),
    )
    socket.once('error', reject)
  })
}
