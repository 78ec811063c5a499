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

/** The log lines (JSON, one a line) that mention `text`, parsed. */
export function linesMentioning(lines: string[], text: string): Array<Record<string, unknown>> {
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes(text))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}
