import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// npm run spec: writes openapi.generated.json, the Salesforce registration that embeds it, and the AppLink document
// openapi.applink.generated.json (for heroku salesforce:publish).
// npm run spec -- --check: writes nothing; exits 1 and names what differs when a committed file is stale.
// --root <dir> compares against another checkout (used by the tests).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { generateContract } from './spec/generate.js'

const rootFlag = process.argv.indexOf('--root')
const root = rootFlag > 0 ? (process.argv[rootFlag + 1] ?? '.') : join(import.meta.dirname, '..')
const check = process.argv.includes('--check')

/** Where two JSON values first differ, as a JSON pointer (`` for the whole value). */
function firstDifferentPointer(before: unknown, after: unknown, pointer = ''): string | undefined {
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined
  if (typeof before !== 'object' || typeof after !== 'object' || before === null || after === null) return pointer
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  for (const key of keys) {
    const inner = firstDifferentPointer(
      (before as Record<string, unknown>)[key],
      (after as Record<string, unknown>)[key],
      `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    )
    if (inner !== undefined) return inner
  }
  return pointer
}

function firstDifference(path: string, committed: string, generated: string): string {
  if (path.endsWith('.json')) {
    try {
      return `first difference at ${firstDifferentPointer(JSON.parse(committed), JSON.parse(generated)) || '(root)'}`
    } catch {
      // not JSON any more: fall back to lines
    }
  }
  const before = committed.split('\n')
  const after = generated.split('\n')
  const line = after.findIndex((text, index) => text !== before[index])
  return `first difference at line ${(line === -1 ? after.length : line) + 1}`
}

let stale = 0
for (const file of await generateContract()) {
  const target = join(root, file.path)
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : undefined
  if (committed === file.content) {
    console.log(`${file.path}: up to date`)
    continue
  }
  if (check) {
    stale++
    console.error(
      committed === undefined
        ? `${file.path}: missing`
        : `${file.path}: stale, the route schemas say otherwise; ${firstDifference(file.path, committed, file.content)}`,
    )
    continue
  }
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, file.content)
  console.log(`${file.path}: written`)
}
if (stale > 0) {
  console.error('\nRun `npm run spec`, review `npm run spec:diff -- HEAD`, and commit the result.')
  process.exit(1)
}
