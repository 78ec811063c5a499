// The first thing every entry point runs: on a Node other than the one package.json's engines.node names, it stops
// with one line on stderr and exit code 1. The native addon is built for that Node (better-sqlite3 built for Node 24
// kills Node 20 with a bare "Segmentation fault"), so this module imports Node's built-ins only, and is written in
// syntax every Node since 16 parses. stderr is the interface here: nothing else, the logger included, has loaded.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** engines.node of the nearest package.json above this file (src/ from source, dist/src/ when built). */
function enginesNode(): string | undefined {
  let folder = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
        engines?: { node?: unknown }
      }
      return typeof manifest.engines?.node === 'string' ? manifest.engines.node : undefined
    } catch {
      // No package.json in this folder: look in the one above.
    }
    const parent = dirname(folder)
    if (parent === folder) return undefined
    folder = parent
  }
}

/**
 * The line to print when `version` (process.versions.node) does not satisfy `range`, else undefined. The ranges
 * read are the plain ones: "24.x", "24", "^24.1", "~24.1" (that major) and ">=24" (that major or later).
 * `onHeroku`: a dyno, where the Node is the one the build installed from engines.node.
 */
export function nodeVersionProblem(version: string, range: string, onHeroku: boolean): string | undefined {
  const needed = /\d+/.exec(range)
  if (!needed) return undefined
  const major = Number(version.split('.')[0])
  const wanted = Number(needed[0])
  const atLeast = range.trim().startsWith('>=')
  if (atLeast ? major >= wanted : major === wanted) return undefined
  const fix = onHeroku
    ? // https://devcenter.heroku.com/articles/nodejs-support#specifying-a-node-js-version
      `Heroku installs the Node that package.json's "engines": {"node": "${range}"} names at build time: keep it there and deploy again`
    : 'run `source tools/use-node-24.sh` in this shell (it puts that Node first on PATH), then the same command again'
  return `flowcart needs Node ${atLeast ? `${wanted} or later` : wanted} (package.json engines.node "${range}") but this is Node ${version} (${process.execPath}): ${fix}.`
}

const range = enginesNode()
const problem =
  range === undefined ? undefined : nodeVersionProblem(process.versions.node, range, 'DYNO' in process.env)
if (problem) {
  process.stderr.write(`${problem}\n`)
  process.exit(1)
}
