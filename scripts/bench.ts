// npm run bench: throughput and latency of flowcart against a bare Fastify baseline measured in the same run.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { formatApiEconomy, measureApiEconomy } from './bench/api-economy.js'
import { startServer } from './bench/processes.js'

const CONNECTIONS = 50
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const PASSWORD = 'bench-password-0123456789'
const authorization = `Basic ${Buffer.from(`flowcart:${PASSWORD}`).toString('base64')}`

interface Sample {
  requestsPerSecond: number
  p99: number
  errors: number
}

async function measure(options: autocannon.Options): Promise<Sample> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options })
  const failures = result.errors + result.timeouts + result.non2xx
  return { requestsPerSecond: result.requests.average, p99: result.latency.p99, errors: failures }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

const baseline = await startServer('scripts/bench/hello-world.ts', '/')
const databaseFile = join(mkdtempSync(join(tmpdir(), 'flowcart-bench-')), 'flowcart.db')
// The compiled build, as the Procfile runs it.
const flowcart = await startServer('dist/src/server.js', '/healthz', {
  DATABASE_URL: `sqlite:${databaseFile}`,
  API_PASSWORD: PASSWORD,
})
// Stock large enough that no order of the run is refused.
await fetch(`${flowcart.url}/inventory/1`, {
  method: 'PUT',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({ quantityInStock: 2_000_000_000 }),
})

const scenarios = {
  'baseline: Fastify hello world': { url: `${baseline.url}/` },
  'GET /products': { url: `${flowcart.url}/products`, headers: { authorization } },
  'POST /orders': {
    url: `${flowcart.url}/orders`,
    method: 'POST' as const,
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ productId: 1, quantity: 1 }] }),
  },
}
const targets: Record<string, { requestsPerSecond: number; p99: number }> = {
  'GET /products': { requestsPerSecond: 0.8, p99: 2 },
  'POST /orders': { requestsPerSecond: 0.4, p99: 2 },
}

const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]))
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, options] of Object.entries(scenarios)) {
    samples[name]?.push(await measure(options))
    process.stdout.write(`round ${round}/${ROUNDS}: ${name} done\n`)
  }
}

const summary = Object.fromEntries(
  Object.entries(samples).map(([name, list]) => [
    name,
    {
      requestsPerSecond: median(list.map((sample) => sample.requestsPerSecond)),
      p99: median(list.map((sample) => sample.p99)),
      errors: list.reduce((sum, sample) => sum + sample.errors, 0),
      // The spread across rounds says how far a difference between two runs can be trusted.
      range: `${Math.round(Math.min(...list.map((sample) => sample.requestsPerSecond)))}–${Math.round(Math.max(...list.map((sample) => sample.requestsPerSecond)))}`,
    },
  ]),
)
const base = summary['baseline: Fastify hello world'] as Sample & { range: string }
const rss = flowcart.rssMegabytes()
console.log(`\n${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s, medians:\n`)
console.log('| scenario | req/s | req/s range | ratio | p99 ms | p99 ratio | failed requests | target |')
console.log('|---|---|---|---|---|---|---|---|')
for (const [name, result] of Object.entries(summary)) {
  const target = targets[name]
  const ratio = result.requestsPerSecond / base.requestsPerSecond
  const p99Ratio = result.p99 / Math.max(base.p99, 1)
  const verdict = target
    ? `${ratio >= target.requestsPerSecond && p99Ratio <= target.p99 ? 'met' : 'MISSED'} (≥ ${target.requestsPerSecond}×, p99 ≤ ${target.p99}×)`
    : ''
  console.log(
    `| ${name} | ${Math.round(result.requestsPerSecond)} | ${result.range} | ${ratio.toFixed(2)} | ${result.p99} | ${p99Ratio.toFixed(2)} | ${result.errors} | ${verdict} |`,
  )
}
console.log(`\nflowcart RSS after the run: ${rss.toFixed(0)} MB (target < 150 MB: ${rss < 150 ? 'met' : 'MISSED'})`)

await Promise.all([baseline.stop(), flowcart.stop()])

// Last: what the Salesforce side costs in requests, counted in-process by the emulator rather than timed.
console.log(`\n${formatApiEconomy(await measureApiEconomy())}`)
