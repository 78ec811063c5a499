// Starts a server as a child process for the benchmark, waits until it answers, and reads its memory.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

export interface RunningServer {
  child: ChildProcess
  url: string
  rssMegabytes(): number
  /** CPU time the process has used so far, all threads, user and system. */
  cpuMicroseconds(): number
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The compiled server, as the Procfile's web line runs it. */
const COMPILED_SERVER = 'dist/src/server.js'

/** The Node options of the Procfile's web line (`web: node <options> dist/src/server.js`). */
function procfileNodeOptions(): string[] {
  const web = readFileSync('Procfile', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('web:'))
  const words = web?.slice('web:'.length).trim().split(/\s+/) ?? []
  if (words[0] !== 'node' || !words.includes(COMPILED_SERVER)) throw new Error(`Procfile: unexpected web line ${web}`)
  return words.slice(1, words.indexOf(COMPILED_SERVER))
}

/**
 * Runs `entry` with this Node, behind `pin` (e.g. taskset -c 1; taskset execs it, so the pid is Node's); the
 * compiled server with the Procfile's Node options, as a dyno runs it.
 */
export async function startServer(
  entry: string,
  readyPath: string,
  { env = {}, pin = [] }: { env?: Record<string, string>; pin?: string[] } = {},
): Promise<RunningServer> {
  const port = await freePort()
  const [command, ...prefix] = [...pin, process.execPath]
  const nodeOptions =
    entry === COMPILED_SERVER ? procfileNodeOptions() : entry.endsWith('.ts') ? ['--import', 'tsx'] : []
  const child = spawn(command as string, [...prefix, ...nodeOptions, entry], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`)
    if (Date.now() > deadline) throw new Error(`${entry} did not answer on ${url}${readyPath}`)
    const ready = await fetch(`${url}${readyPath}`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    child,
    url,
    rssMegabytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024
    },
    cpuMicroseconds() {
      // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      return (Number(fields[11]) + Number(fields[12])) * 10_000
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
