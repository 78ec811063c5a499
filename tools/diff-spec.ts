import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// CLI: `npm run spec:diff -- <git-ref> [--fail-on-breaking] [--spec <path>]` prints the classified contract diff as Markdown.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { diffSpecs, renderMarkdown } from './spec/diff/index.js'

const USAGE = 'usage: npm run spec:diff -- <git-ref> [--fail-on-breaking] [--spec <path>]'

class UsageError extends Error {}

interface Args {
  ref: string
  failOnBreaking: boolean
  specPath: string
}

function parseArgs(argv: string[]): Args {
  let ref: string | undefined
  let failOnBreaking = false
  let specPath = 'openapi.generated.json'
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') continue
    if (arg === '--fail-on-breaking') failOnBreaking = true
    else if (arg === '--spec') {
      const value = argv[++i]
      if (!value) throw new UsageError(`--spec needs a path; ${USAGE}`)
      specPath = value
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}; ${USAGE}`)
    else if (ref === undefined) ref = arg
    else throw new UsageError(`one git ref expected, got ${ref} and ${arg}; ${USAGE}`)
  }
  if (ref === undefined) throw new UsageError(`missing git ref; ${USAGE}`)
  return { ref, failOnBreaking, specPath: resolve(specPath) }
}

const git = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })

const succeeds = (run: () => unknown) => {
  try {
    run()
    return true
  } catch {
    return false
  }
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${origin} is not valid JSON: ${(error as Error).message}`)
  }
}

function main(): number {
  const { ref, failOnBreaking, specPath } = parseArgs(process.argv.slice(2))
  const cwd = dirname(specPath)
  // `<ref>:./<file>` is resolved against cwd, so the spec may live anywhere in the repository.
  const object = `${ref}:./${basename(specPath)}`
  if (!existsSync(cwd) || !succeeds(() => git(cwd, ['rev-parse', '--git-dir']))) {
    throw new UsageError(`${cwd} is not inside a git repository`)
  }
  if (!succeeds(() => git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))) {
    throw new UsageError(`unknown git ref: ${ref}`)
  }
  if (!existsSync(specPath)) throw new UsageError(`${specPath} not found; generate the spec first`)
  const after = parseJson(readFileSync(specPath, 'utf8'), specPath)
  const baseMissing = !succeeds(() => git(cwd, ['cat-file', '-e', object]))
  const before = baseMissing ? {} : parseJson(git(cwd, ['show', object]), object)
  const changes = diffSpecs(before, after)
  process.stdout.write(renderMarkdown(changes, { baseRef: ref, baseMissing, specFile: basename(specPath) }))
  return failOnBreaking && changes.some((change) => change.kind === 'breaking') ? 1 : 0
}

try {
  process.exitCode = main()
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  console.error(`spec:diff: ${error.message}`)
  process.exitCode = 2
}
