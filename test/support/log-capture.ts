// A writable stream that keeps what a logger writes, for tests that read the log lines.
import { Writable } from 'node:stream'

export function captureLines() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { stream, text: () => lines.join('') }
}
