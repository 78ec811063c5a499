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

/** The first whole answer at the start of `text`, or undefined while it is incomplete. A 1xx answer has no body. */
function firstAnswer(text: string): string | undefined {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const head = text.slice(0, end + 4)
  if (/^HTTP\/1\.[01] 1\d\d /.test(head)) return head
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1]
  if (length === undefined) return undefined
  const body = Buffer.from(text.slice(end + 4)).subarray(0, Number(length))
  return body.length < Number(length) ? undefined : head + body.toString()
}

const isInterim = (answer: string) => /^HTTP\/1\.[01] 1\d\d /.test(answer)

/** The first final (non-1xx) answer in `text`, once it is whole. */
function finalAnswer(text: string): string | undefined {
  let rest = text
  for (let answer = firstAnswer(rest); answer !== undefined; answer = firstAnswer(rest)) {
    if (!isInterim(answer)) return answer
    rest = rest.slice(answer.length)
  }
  return undefined
}

/** The status of every answer in `text`, interim ones (1xx) included, in order. */
export function statusesIn(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]))
}

/**
 * Writes `request` and resolves with the first final answer once it is whole, the server closed the socket, or
 * `waitMs` passed; `text` is everything received.
 */
export function sendRaw(port: number, request: string | Buffer, waitMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('utf8')
      resolve({ ...parseAnswer(finalAnswer(text) ?? text), text })
    }
    const timer = setTimeout(done, waitMs)
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      if (finalAnswer(Buffer.concat(chunks).toString('utf8')) !== undefined) done()
    })
    socket.on('end', done)
    socket.on('close', done)
    socket.on('error', (error) => (chunks.length > 0 ? done() : reject(error)))
    socket.write(request)
  })
}

export interface RawConnection {
  write(bytes: string | Buffer): void
  /** The next whole answer on this connection, interim ones (100 Continue) included; rejects if it closes first. */
  nextAnswer(): Promise<RawAnswer>
  /** Resolves when the server has closed the connection, with every byte it sent. */
  closed: Promise<string>
  /** True once the server has closed the connection, false if it is still open after `waitMs`. */
  closedWithin(waitMs: number): Promise<boolean>
  /** Everything received so far. */
  received(): string
  /** Closes the connection from this side. */
  close(): void
}

/** One connection, kept open across requests (keep-alive) until the server closes it. */
export function openConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let consumed = 0
    let isClosed = false
    const pending: Array<() => void> = []
    const checkPending = () => {
      for (const check of pending.splice(0)) check()
    }
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8')
      checkPending()
    })
    const closed = new Promise<string>((done) =>
      socket.once('close', () => {
        isClosed = true
        checkPending()
        done(received)
      }),
    )
    socket.on('error', () => {})
    socket.once('connect', () =>
      resolve({
        write: (bytes) => socket.write(bytes),
        closed,
        closedWithin: (waitMs) =>
          Promise.race([closed.then(() => true), new Promise<boolean>((open) => setTimeout(open, waitMs, false))]),
        received: () => received,
        close: () => socket.destroy(),
        nextAnswer() {
          return new Promise((answer, fail) => {
            const check = () => {
              const whole = firstAnswer(received.slice(consumed))
              if (whole === undefined && isClosed) return fail(new Error('the server closed the connection unanswered'))
              if (whole === undefined) return void pending.push(check)
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
