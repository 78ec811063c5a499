// src/ reads one way: no module imports, directly or through others, a module that imports it back (type-only
// imports included, since they tie the modules' meanings together just the same); nor does a top-level part (a
// folder, or a file directly in src/), and the storage and Salesforce code know nothing of HTTP.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../src')

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(folder, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(folder, entry.name)]
        : [],
  )
}

/** Every import of a file, static (`from '…'`) and dynamic (`import('…')`), as written. */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1] as string)
}

/** The top-level part of src/ a file belongs to: its folder, or the file itself when it lies directly in src/. */
const partOf = (file: string) => relative(SRC, file).split('/')[0] as string

/** The graph of top-level parts: an arrow wherever a file of one part imports a file of another. */
function partGraph(files: Map<string, string[]>): Map<string, string[]> {
  const parts = new Map<string, Set<string>>()
  for (const [file, imports] of files) {
    const from = partOf(file)
    const targets = parts.get(from) ?? new Set<string>()
    for (const target of imports) if (partOf(target) !== from) targets.add(partOf(target))
    parts.set(from, targets)
  }
  return new Map([...parts].map(([part, targets]) => [part, [...targets]]))
}

/** Relative imports of a file, static (`from '…'`) and dynamic (`import('…')`), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (match) => match[1] as string,
  )
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
}

/** Every cycle found by a depth-first walk, each as the chain of files that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return found
}

describe('imports in src/', () => {
  const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]))

  it('resolve to files that exist', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => !graph.has(target))
        .map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`),
    )
    expect(missing).toEqual([])
  })

  it('form no circle', () => {
    const names = cycles(graph).map((cycle) => cycle.map((file) => relative(SRC, file)).join(' → '))
    expect(names).toEqual([])
  })

  it('form no circle between the top-level parts of src/ (each folder, and each file directly in src/)', () => {
    const names = cycles(partGraph(graph)).map((cycle) => cycle.join(' → '))
    expect(names).toEqual([])
  })

  it('keep HTTP and Fastify out of the database code, the repositories and the Salesforce side', () => {
    const belowHttp = [...graph.keys()].filter((file) => {
      const path = relative(SRC, file)
      return path.startsWith('db/') || path.startsWith('salesforce/') || /\/repository\.ts$/.test(path)
    })
    const reachesHttp = belowHttp.flatMap((file) =>
      specifiersOf(file)
        .filter((specifier) => /^fastify$|^@fastify\/|(^|\/)http\//.test(specifier))
        .map((specifier) => `${relative(SRC, file)} → ${specifier}`),
    )
    expect(reachesHttp).toEqual([])
  })

  it('keep the Salesforce side below the features: it imports none of them, nor AppLink', () => {
    const above = ['applink', 'catalog', 'orders', 'inventory', 'outbox', 'http', 'app.ts']
    const reachesAbove = [...graph]
      .filter(([file]) => partOf(file) === 'salesforce')
      .flatMap(([file, imports]) =>
        imports
          .filter((target) => above.includes(partOf(target)))
          .map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`),
      )
    expect(reachesAbove).toEqual([])
  })

  it('finds a circle between parts when there is one (the check itself works)', () => {
    const parts = partGraph(
      new Map([
        [join(SRC, 'orders/service.ts'), [join(SRC, 'outbox/repository.ts')]],
        [join(SRC, 'outbox/repository.ts'), [join(SRC, 'orders/schemas.ts')]],
        [join(SRC, 'orders/schemas.ts'), []],
      ]),
    )
    expect(cycles(parts)).toEqual([['orders', 'outbox', 'orders']])
  })

  it('finds a circle when there is one (the check itself works)', () => {
    const a = '/a.ts'
    const b = '/b.ts'
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([[a, b, a]])
  })
})
