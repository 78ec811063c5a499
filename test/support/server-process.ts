// The real server (src/server.ts) as a child process, for what only a process shows: signals, exit codes, kill -9.
import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach } from 'vitest'
import { TEST_PASSWORD } from '../helper.js'

export interface ServerProcess {
  child: ChildProcess
  url: string
  port: number
  /** Resolves with the exit code. */
  exited: Promise<number | null>
  /** Resolves once the server's output contains `text`. */
  waitForOutput(text: string): Promise<void>
  /** Everything the server wrote so far, standard output and error. */
  output(): string
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', API_PASSWORD: TEST_PASSWORD, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  const waiters: Array<{ text: string; resolve: () => void }> = []
  const onOutput = (chunk: Buffer) => {
    output += chunk
    for (const waiter of waiters.filter(({ text }) => output.includes(text))) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  }
  child.stdout?.on('data', onOutput)
  child.stderr?.on('data', onOutput)
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const waitForOutput = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (output.includes(text)) return resolve()
      waiters.push({ text, resolve })
      exited.then((code) => reject(new Error(`server exited with ${code} before printing "${text}":\n${output}`)))
    })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000)
    const check = () => {
      const match = output.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)
      if (match?.[1]) {
        clearTimeout(timer)
        child.stdout?.off('data', check)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', check)
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
  return { child, url, port: Number(new URL(url).port), exited, waitForOutput, output: () => output }
}
