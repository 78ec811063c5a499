// The catalog following Salesforce (SF_CATALOG_FROM_SALESFORCE=true): a backlog of 10,000 Product2 changes applied
// after a restart, and the delay of each change at a steady 50 a second. flowcart runs as the Procfile runs it, pinned
// to its own core; the emulator and the Pub/Sub stand-in (Salesforce's side, which makes the changes) run in this
// process, on the load generator's core. Standalone, after `npm run build`: `tsx tools/bench/catalog-changes.ts`
// (CATALOG_ENGINES=postgres,sqlite, CATALOG_CHANGES, CATALOG_PRODUCTS, CATALOG_RATE, CATALOG_SECONDS).
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CatalogBacklogResult, measureCatalogBacklog } from './catalog-backlog.js'
import { type CatalogDelayResult, measureCatalogDelay } from './catalog-delay.js'
import { type Engine, openCatalogBench } from './catalog-following.js'
import { postgresProblem } from './databases.js'
import { choosePinning, pinThisProcessToLoadCore } from './pinning.js'

export const TARGET = { changesPerSecond: 2000, delayP99Ms: 500 }

export interface CatalogScenario {
  engines: Engine[]
  /** Products in the org; the backlog's changes are spread over them. */
  products: number
  changes: number
  perSecond: number
  seconds: number
}

export interface CatalogResults {
  pinning: string
  backlogs: CatalogBacklogResult[]
  delays: CatalogDelayResult[]
}

export async function measureCatalogChanges(scenario: CatalogScenario): Promise<CatalogResults> {
  const pinning = choosePinning()
  const unpin = pinThisProcessToLoadCore(pinning)
  const results: CatalogResults = { pinning: pinning.description, backlogs: [], delays: [] }
  try {
    for (const engine of scenario.engines) {
      const bench = await openCatalogBench(engine, scenario.products, pinning.server)
      try {
        results.backlogs.push(await measureCatalogBacklog(bench, scenario.changes))
        results.delays.push(await measureCatalogDelay(bench, scenario))
      } finally {
        await bench.close()
      }
    }
  } finally {
    unpin()
  }
  return results
}

const seconds = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(2)} s`)
const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(value < 10 ? 1 : 0)} ms`)
const count = (value: number) => Math.round(value).toLocaleString('en')

function backlogVerdict(result: CatalogBacklogResult): string {
  if (result.totalSeconds === undefined) return 'MISSED: not caught up'
  const rate = result.changes / result.totalSeconds
  const wrong = result.wrongNames > 0 || result.applied !== result.changes ? ' (but wrong names or counts)' : ''
  return `${rate >= TARGET.changesPerSecond && !wrong ? 'met' : 'MISSED'}${wrong}`
}

function delayVerdict(result: CatalogDelayResult): string {
  if (result.lost > 0) return `MISSED: ${result.lost} not applied`
  return result.delaysMs.p99 <= TARGET.delayP99Ms ? 'met' : 'MISSED'
}

export function formatCatalogChanges(results: CatalogResults): string {
  const lines = [
    '## The catalog following Salesforce: Product2 change events',
    '',
    `${results.pinning}. The emulator and the Pub/Sub stand-in (Salesforce's side, which makes the changes) run in`,
    "the bench process, on the load generator's core. flowcart: the compiled server with SF_CATALOG_FROM_SALESFORCE=true,",
    "trusting the stand-in's CA through NODE_EXTRA_CA_CERTS.",
    '',
    'Backlog: flowcart live (a replay id stored for both topics), stopped with SIGTERM, the products renamed round after',
    'round in the emulator, then flowcart started again and timed from its spawn to the stored replay id being the',
    "topic's newest (read every 10 ms). changes/s: the backlog over that whole time; applying only: from the first change",
    "applied (its transaction's start) to the last commit. Server CPU: the flowcart process's, from /healthz answering.",
    '',
    `| engine | backlog | ready (/healthz) | first applied | all applied | changes/s | applying only | server CPU µs/change | target (≥ ${count(TARGET.changesPerSecond)} changes/s) |`,
    '|---|---|---|---|---|---|---|---|---|',
  ]
  for (const result of results.backlogs) {
    const rate = result.totalSeconds === undefined ? '—' : count(result.changes / result.totalSeconds)
    const applying =
      result.totalSeconds === undefined || result.firstAppliedSeconds === undefined
        ? '—'
        : `${count(result.changes / (result.totalSeconds - result.firstAppliedSeconds))}/s`
    const cpu = result.serverCpuMicroseconds === undefined ? '—' : result.serverCpuMicroseconds.toFixed(0)
    const wrong =
      result.wrongNames > 0 || result.applied !== result.changes
        ? ` (${result.applied.toLocaleString('en')} applied, ${result.wrongNames} names wrong)`
        : ''
    lines.push(
      `| ${result.engine} | ${count(result.changes)} renames, ${count(result.products)} products | ${seconds(result.readySeconds)} | ${seconds(result.firstAppliedSeconds)} | ${seconds(result.totalSeconds)}${wrong} | ${rate} | ${applying} | ${cpu} | ${backlogVerdict(result)} |`,
    )
  }
  lines.push(
    '',
    'Delay: flowcart live, one product renamed every 20 ms on a fixed schedule (product after product). Each rename is',
    "timed from the emulator's write (the commit in Salesforce) to the first read of flowcart's database, every 2 ms from",
    'the bench process, that holds the new name: what any request would answer from then on. Salesforce’s own delay',
    'between a commit and its change event is not in it.',
    '',
    `| engine | renames | rate made | delay p50 | delay p99 | max | target (p99 ≤ ${TARGET.delayP99Ms} ms) |`,
    '|---|---|---|---|---|---|---|',
  )
  for (const result of results.delays) {
    lines.push(
      `| ${result.engine} | ${count(result.changes)} in ${result.seconds} s | ${result.achievedPerSecond.toFixed(1)}/s | ${ms(result.delaysMs.p50)} | ${ms(result.delaysMs.p99)} | ${ms(result.delaysMs.max)} | ${delayVerdict(result)} |`,
    )
  }
  return lines.join('\n')
}

/** The rows npm run bench adds: PostgreSQL (the production path) when it answers, then SQLite. */
export async function benchCatalogChanges(postgres: boolean): Promise<string> {
  const results = await measureCatalogChanges({
    engines: postgres ? ['postgres', 'sqlite'] : ['sqlite'],
    products: 500,
    changes: 10_000,
    perSecond: 50,
    seconds: 20,
  })
  return formatCatalogChanges(results)
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
  const problem = await postgresProblem()
  const wanted = (process.env.CATALOG_ENGINES ?? 'postgres,sqlite').split(',') as Engine[]
  if (problem && wanted.includes('postgres')) console.log(`PostgreSQL rows SKIPPED: ${problem}`)
  const results = await measureCatalogChanges({
    engines: wanted.filter((engine) => engine === 'sqlite' || (engine === 'postgres' && !problem)),
    products: number('CATALOG_PRODUCTS', 500),
    changes: number('CATALOG_CHANGES', 10_000),
    perSecond: number('CATALOG_RATE', 50),
    seconds: number('CATALOG_SECONDS', 20),
  })
  console.log(formatCatalogChanges(results))
}
