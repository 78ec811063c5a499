import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// Checks the generated OpenAPI documents against what Salesforce External Services registers and Flow can use, and
// the AppLink document's x-sfdc extensions against what heroku salesforce:publish needs.
// Usage: tsx tools/lint-spec.ts [file...]   (default: openapi.generated.json and openapi.applink.generated.json)
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { countOperations, type LintFailure, lintSpec, type OpenApiDocument } from './spec/lint-rules.js'

const root = path.join(import.meta.dirname, '..')
const given = process.argv.slice(2).map((file) => path.resolve(file))
const targets =
  given.length > 0 ? given : ['openapi.generated.json', 'openapi.applink.generated.json'].map((f) => path.join(root, f))

/** Prints the problems of one document; how many there were. */
async function lintFile(file: string): Promise<number> {
  const name = path.basename(file)

  let spec: OpenApiDocument
  try {
    spec = JSON.parse(await readFile(file, 'utf8')) as OpenApiDocument
  } catch (error) {
    console.error(`${name}: cannot read it as JSON: ${(error as Error).message}`)
    return 1
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
  return failures.length
}

let problems = 0
for (const file of targets) problems += await lintFile(file)
process.exitCode = problems > 0 ? 1 : 0
