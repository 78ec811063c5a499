// The load generators, each run as its own process with the load pinning: autocannon for HTTP, pgbench for
// PostgreSQL's own ceiling.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
const orderLoadScript = new URL('./order-load.mjs', import.meta.url).pathname

export interface LoadResult {
  requestsPerSecond: number
  total: number
  p50Ms: number
  p99Ms: number
  failures: number
}

export interface HttpLoad {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

export async function autocannon(
  pin: string[],
  load: HttpLoad,
  { connections, seconds }: { connections: number; seconds: number },
): Promise<LoadResult> {
  const args = ['-j', '-c', String(connections), '-d', String(seconds), '-m', load.method ?? 'GET']
  for (const [name, value] of Object.entries(load.headers ?? {})) args.push('-H', `${name}=${value}`)
  if (load.body) args.push('-b', load.body)
  args.push(load.url)
  const [command, ...prefix] = [...pin, process.execPath]
  const { stdout } = await run(command as string, [...prefix, autocannonBin, ...args], { maxBuffer: 16 << 20 })
  return loadResultOf(JSON.parse(stdout))
}

/** autocannon's JSON result as a LoadResult. */
function loadResultOf(result: {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  errors: number
  timeouts: number
  non2xx: number
}): LoadResult {
  return {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  }
}

/** postOrder, each request one unit of a product picked at random from `productIds` (order-load.mjs). */
export async function autocannonOrders(
  pin: string[],
  orders: { url: string; authorization: string; productIds: number[] },
  { connections, seconds }: { connections: number; seconds: number },
): Promise<LoadResult> {
  const [command, ...prefix] = [...pin, process.execPath]
  const options = JSON.stringify({ ...orders, connections, seconds })
  const { stdout } = await run(command as string, [...prefix, orderLoadScript, options], { maxBuffer: 16 << 20 })
  return loadResultOf(JSON.parse(stdout))
}

/**
 * pgbench with `script`: a built-in one, `['-N']` (simple update: three statements in a transaction of five round
 * trips, its tpcb-like script without the branch and teller updates) or `['-S']` (select only), or a file of one's
 * own (`['-f', file, '-D', 'name=value']`). `clients` sessions, one thread, every transaction logged so that its p99
 * can be read.
 */
export async function pgbench(
  pin: string[],
  databaseUrl: string,
  script: string[],
  { clients, seconds }: { clients: number; seconds: number },
): Promise<LoadResult> {
  const logs = mkdtempSync(join(tmpdir(), 'flowcart-pgbench-'))
  try {
    const [command, ...prefix] = [...pin, 'pgbench']
    const options = [...script, '-c', String(clients), '-j', '1', '-T', String(seconds), '-M', 'prepared']
    const logging = ['-l', `--log-prefix=${join(logs, 'log')}`]
    const { stdout } = await run(command as string, [...prefix, ...options, ...logging, databaseUrl])
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? Number.NaN)
    const failures = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0)
    // Each log line: client, transaction number, latency in µs, script, epoch seconds, µs.
    const latencies = readdirSync(logs)
      .flatMap((file) => readFileSync(join(logs, file), 'utf8').split('\n'))
      .filter((line) => line !== '')
      .map((line) => Number(line.split(' ')[2]))
      .sort((a, b) => a - b)
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? Number.NaN
    const p50 = latencies[Math.floor(latencies.length * 0.5)] ?? Number.NaN
    return { requestsPerSecond: tps, total: latencies.length, p50Ms: p50 / 1000, p99Ms: p99 / 1000, failures }
  } finally {
    rmSync(logs, { recursive: true, force: true })
  }
}

/** Creates pgbench's tables (scale 1: 100,000 accounts) in `databaseUrl`. */
export async function initPgbench(databaseUrl: string): Promise<void> {
  await run('pgbench', ['-i', '-q', '-s', '1', databaseUrl])
}
