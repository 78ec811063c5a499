// Runs the Flow scanner (lightning-flow-scanner-core) on the given flows and fails on any error-level finding.
// Usage: node tools/scan-flows.mjs <folder the scanner is installed in> <config.json> <flow files...>
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'

const [toolsDir, configFile, ...flows] = process.argv.slice(2)
const { parse, scan } = createRequire(join(resolve(toolsDir), 'package.json'))(
  '@flow-scanner/lightning-flow-scanner-core',
)
// Only `exceptions` in the config: a `rules` list would run those rules alone, not the default set.
const config = existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : {}

const parsed = await parse(flows.map((flow) => resolve(flow)))
const unreadable = parsed.filter((flow) => flow.errorMessage)
for (const flow of unreadable) console.error(`${flow.uri}: ${flow.errorMessage}`)
let errors = unreadable.length
for (const result of scan(parsed, config)) {
  for (const rule of result.ruleResults.filter((found) => found.occurs)) {
    const where = rule.details.map((detail) => `${detail.name}@${detail.lineNumber}`).join(', ')
    console.log(`${result.flow.name}: ${rule.severity} ${rule.ruleName} ${where}`)
    if (rule.severity === 'error') errors += 1
  }
}
console.log(`Flow scanner: ${parsed.length} flows, ${errors} error-level findings`)
process.exit(errors > 0 ? 1 : 0)
