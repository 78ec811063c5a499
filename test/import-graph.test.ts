// src/ reads one way: no module imports, directly or through others, a module that imports it back (type-only
// imports included, since they tie the modules' meanings together just the same).
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
