// Checks the generated OpenAPI document against what Salesforce External Services registers and Flow can use.
// Usage: tsx tools/lint-spec.ts [file]   (default: openapi.generated.json at the repo root)
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { countOperations, type LintFailure, lintSpec, type OpenApiDocument } from './spec/lint-rules.js'

const file = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'openapi.generated.json'))
const name = path.basename(file)

let spec: OpenApiDocument
try {
  spec = JSON.parse(await readFile(file, 'utf8')) as OpenApiDocument
} catch (error) {
  console.error(`${name}: cannot read it as JSON: ${(error as Error).message}`)
  process.exit(1)
}

const failures: LintFailure[] = []
try {
  // validate() dereferences in place; the lint needs the $refs as written.
  await SwaggerParser.validate(structuredClone(spec) as SwaggerParser['api'])
} catch (error) {
  failures.push({
    pointer: '',
    rule: 'valid-openapi',
    message: (error as Error).message.trim(),
    fix: 'make the document valid OpenAPI first; the rules below may explain why it is not',
  })
}
failures.push(...lintSpec(spec))

for (const { pointer, rule, message, fix } of failures) {
  console.log(`${pointer || '(document)'}  [${rule}]  ${message}\n    fix: ${fix}`)
}
const problems = `${failures.length} problem${failures.length === 1 ? '' : 's'}`
const operations = countOperations(spec)
console.log(
  `${name}: ${operations} operation${operations === 1 ? '' : 's'}, ${problems} for Salesforce External Services`,
)
process.exitCode = failures.length > 0 ? 1 : 0
