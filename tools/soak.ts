import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// npm run soak: flowcart under ten minutes of mixed load in a 512 MB memory cgroup, as on a Standard-1X dyno, with
// Salesforce down for a stretch so that events pile up on backoff and then drain; RSS sampled every 10 s.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_SKUS } from '../src/catalog/demo-catalog.js'
import { dropDatabase, freshDatabase, postgresProblem } from './bench/databases.js'
import { dynoMemory } from './bench/dyno-memory.js'
import { choosePinning } from './bench/pinning.js'
import { startServer } from './bench/processes.js'
import { generateKeyPair, startSalesforceEmulator } from './salesforce-emulator/index.js'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const SAMPLE_S = 10
/** Clients at once: enough to keep one core busy, as a dyno under steady traffic. */
const CLIENTS = 32
const STOCK = 1_000_000_000
const PASSWORD = 'soak-password-0123456789'
const CONSUMER_KEY = '3MVG9flowcart.soak.consumer.key'
const INTEGRATION_USER = 'integration@flowcart.example'
const SOAK_DB = 'flowcart_soak'
const authorization = `Basic ${Buffer.from(`flowcart:${PASSWORD}`).toString('base64')}`
/** Salesforce is down from 10 % to 50 % of the run: events wait on backoff, then drain while the load goes on. */
const OUTAGE = { from: 0.1, to: 0.5 }

const pinning = choosePinning()
const memory = dynoMemory()
// This process (the load and the emulator) on the load's core, so it does not compete with the server.
if (pinning.load.length > 0) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })

const keys = generateKeyPair()
const emulator = await startSalesforceEmulator({
  consumerKey: CONSUMER_KEY,
  username: INTEGRATION_USER,
  publicKey: keys.publicKey,
  products: DEMO_SKUS.map((sku, index) => ({ Name: `Product ${index + 1}`, ProductCode: sku, IsActive: true })),
  apiLimit: 1_000_000_000,
})
const usePostgres = process.env.SOAK_ENGINE !== 'sqlite' && !(await postgresProblem())
const databaseUrl = usePostgres
  ? await freshDatabase(SOAK_DB)
  : `sqlite:${join(mkdtempSync(join(tmpdir(), 'flowcart-soak-')), 'flowcart.db')}`
const server = await startServer('dist/src/server.js', '/healthz', {
  env: {
    DATABASE_URL: databaseUrl,
    API_PASSWORD: PASSWORD,
    LOG_LEVEL: 'error',
    SF_LOGIN_URL: emulator.url,
    SF_CONSUMER_KEY: CONSUMER_KEY,
    SF_USERNAME: INTEGRATION_USER,
    SF_PRIVATE_KEY: keys.privateKey,
  },
  pin: [...memory.prefix, ...pinning.server],
})

const send = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization, 'content-type': 'application/json', ...init.headers },
  })
const products = DEMO_SKUS.map((_, index) => index + 1)
for (const id of products) {
  await send(`/inventory/${id}`, { method: 'PUT', body: JSON.stringify({ quantityInStock: STOCK }) })
}
const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)] as T

/** The traffic of a shop that Flows call, with the mistakes and probes a public endpoint meets. */
const mix: Array<[weight: number, name: string, request: () => Promise<Response>]> = [
  [30, 'getProducts', () => send(`/products?pageSize=${pick([5, 20, 100])}&offset=${pick([0, 5, 10])}`)],
  [
    25,
    'postOrder',
    () => {
      const items = [{ productId: pick(products), quantity: pick([1, 2, 3]) }]
      const body = JSON.stringify({ items, customerEmail: `${randomUUID()}@example.com` })
      return send('/orders', { method: 'POST', body, headers: { 'idempotency-key': randomUUID() } })
    },
  ],
  [10, 'getOrders', () => send(`/orders?pageSize=20&offset=${pick([0, 20, 200])}`)],
  [10, 'getOrder', () => send(`/orders/${1 + Math.floor(Math.random() * 1000)}`)],
  [5, 'getInventory', () => send(`/inventory?productId=${pick(products)}`)],
  [
    5,
    'setInventory',
    () => send(`/inventory/${pick(products)}`, { method: 'PUT', body: JSON.stringify({ quantityInStock: STOCK }) }),
  ],
  [5, 'wrong password', () => send('/products', { headers: { authorization: `Basic ${btoa(`x${randomUUID()}:y`)}` } })],
  [5, 'malformed body', () => send('/orders', { method: 'POST', body: '{"items": [' })],
  [5, 'unknown route', () => send(`/${randomUUID()}`)],
]
const totalWeight = mix.reduce((sum, [weight]) => sum + weight, 0)
function nextRequest() {
  let roll = Math.random() * totalWeight
  for (const entry of mix) {
    roll -= entry[0]
    if (roll < 0) return entry
  }
  return mix[0] as (typeof mix)[number]
}

const statuses = new Map<string, number>()
let requests = 0
const started = Date.now()
const deadline = started + SECONDS * 1000
async function client() {
  while (Date.now() < deadline) {
    const [, name, request] = nextRequest()
    const status = await request().then(
      async (response) => {
        await response.arrayBuffer()
        return String(response.status)
      },
      (error: Error) => `error ${error.message}`,
    )
    requests += 1
    if (status.startsWith('5') || status.startsWith('error')) {
      statuses.set(`${name} ${status}`, (statuses.get(`${name} ${status}`) ?? 0) + 1)
    }
  }
}

interface Sample {
  second: number
  rssMb: number
  requestsPerSecond: number
  pendingEvents: number
  salesforce: string
}
const samples: Sample[] = []
let counted = 0
const sampler = setInterval(async () => {
  const second = Math.round((Date.now() - started) / 1000)
  const fraction = second / SECONDS
  emulator.setDown(fraction >= OUTAGE.from && fraction < OUTAGE.to)
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as { salesforce: { pendingEvents: number } }
  samples.push({
    second,
    rssMb: server.rssMegabytes(),
    requestsPerSecond: (requests - counted) / SAMPLE_S,
    pendingEvents: health.salesforce.pendingEvents,
    salesforce: fraction >= OUTAGE.from && fraction < OUTAGE.to ? 'down' : 'up',
  })
  counted = requests
  const last = samples.at(-1) as Sample
  process.stdout.write(
    `${last.second} s: RSS ${last.rssMb.toFixed(0)} MB, ${Math.round(last.requestsPerSecond)} req/s, ${last.pendingEvents} events pending (Salesforce ${last.salesforce})\n`,
  )
}, SAMPLE_S * 1000)

console.log(`${pinning.description}.\n${memory.description}.`)
console.log(`flowcart on ${usePostgres ? 'PostgreSQL' : 'SQLite'}, ${CLIENTS} clients, ${SECONDS} s.\n`)
await Promise.all(Array.from({ length: CLIENTS }, client))
clearInterval(sampler)
await server.stop()
await emulator.close()
if (usePostgres) await dropDatabase(SOAK_DB)
memory.remove()

// The plateau: the highest RSS of the last third against the highest of the middle third.
const third = Math.floor(samples.length / 3)
const peak = (list: Sample[]) => Math.max(...list.map((sample) => sample.rssMb))
const middle = peak(samples.slice(third, 2 * third))
const last = peak(samples.slice(2 * third))
console.log(`\n${requests.toLocaleString('en')} requests; answers that were 5xx or no answer at all:`)
console.log(statuses.size === 0 ? '  none' : [...statuses].map(([key, count]) => `  ${key}: ${count}`).join('\n'))
console.log(`RSS: first sample ${samples[0]?.rssMb.toFixed(0)} MB, peak of the middle third ${middle.toFixed(0)} MB,`)
console.log(
  `peak of the last third ${last.toFixed(0)} MB (${last - middle >= 0 ? '+' : ''}${(last - middle).toFixed(0)} MB): ` +
    `${last <= middle * 1.05 ? 'plateau' : 'STILL GROWING'} (a plateau: the last third within 5 % of the middle third).`,
)
