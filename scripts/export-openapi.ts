// npm run spec: writes openapi.generated.json and the Salesforce registration that embeds it.
// npm run spec -- --check: writes nothing; exits 1 and names what differs when a committed file is stale.
// --root <dir> compares against another checkout (used by the tests).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { generateContract } from './spec/generate.js'

const rootFlag = process.argv.indexOf('--root')
const root = rootFlag > 0 ? (process.argv[rootFlag + 1] ?? '.') : join(import.meta.dirname, '..')
const check = process.argv.includes('--check')

function firstDifference(committed: string, generated: string): string {
  const before = committed.split('\n')
  const after = generated.split('\n')
  const line = after.findIndex((text, index) => text !== before[index])
  const at = line === -1 ? after.length : line
  return `first difference at line ${at + 1}:\n    committed: ${before[at]?.trim() ?? '(end of file)'}\n    generated: ${after[at]?.trim() ?? '(end of file)'}`
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
        : `${file.path}: stale, the route schemas say otherwise; ${firstDifference(committed, file.content)}`,
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
