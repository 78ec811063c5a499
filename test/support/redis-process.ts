// A private redis-server for one test, on a free port, that the test may freeze, thaw, kill and start again; never
// the shared one, which other tests use at the same time.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { afterEach } from 'vitest'

export interface RedisProcess {
  url: string
  /** SIGSTOP: the server keeps its port and connections but answers nothing. */
  freeze(): void
  /** SIGCONT. */
  thaw(): void
  /** SIGKILL, and wait until it is gone: every connection drops, and the counts it held are lost. */
  kill(): Promise<void>
  /** A new, empty server on the same port. */
  restart(): Promise<void>
}

/** Whether this machine has redis-server to start (CI does; a bare development machine may not). */
export const redisServerInstalled = spawnSync('redis-server', ['--version']).status === 0
if (!redisServerInstalled && process.env.REQUIRE_REDIS === 'true') {
  throw new Error('REQUIRE_REDIS=true but redis-server is not installed: the Redis outage tests need to start one')
}
if (!redisServerInstalled) {
  console.warn('\n*** Redis outage tests SKIPPED: redis-server is not installed (they start private ones). ***\n')
}

const running = new Set<ChildProcess>()

async function stop(child: ChildProcess) {
  running.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  // A stopped process only dies of SIGKILL, but one left stopped would be a surprise for whoever looks next.
  child.kill('SIGCONT')
  child.kill('SIGKILL')
  await exited
}

afterEach(async () => {
  await Promise.all([...running].map(stop))
})

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
  running.add(child)
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${output}`))
    })
  })
  return child
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort()
  let child = await spawnRedis(port)
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    kill: () => stop(child),
    async restart() {
      await stop(child)
      child = await spawnRedis(port)
    },
  }
}
