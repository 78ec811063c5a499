// Every element of every metadata file under salesforce/ against the API version from which the Metadata API reference
// says it exists (test/support/metadata-api-versions.ts) and sfdx-project.json's sourceApiVersion. An org refuses a
// whole deploy for one element its API version does not have, and `sf project convert source` does not notice.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { DEFAULT_API_VERSION } from '../src/salesforce/names.js'
import { ELEMENT_VERSIONS, type ElementVersion, type MetadataType, REFERENCE } from './support/metadata-api-versions.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SALESFORCE = join(ROOT, 'salesforce')
const PROJECT = JSON.parse(readFileSync(join(SALESFORCE, 'sfdx-project.json'), 'utf8')) as {
  sourceApiVersion: string
  packageDirectories: { path: string }[]
}
const SOURCE_API_VERSION = Number(PROJECT.sourceApiVersion)

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

// Every package directory is deployed by one mode or the other, so every one is held to the version.
const METADATA_FILES = PROJECT.packageDirectories
  .flatMap((dir) => walk(join(SALESFORCE, dir.path)))
  .filter((file) => file.endsWith('-meta.xml'))

// Every element is an array, values stay text, comments are dropped: only element names matter here.
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: () => true })
type Tree = { [name: string]: Tree[] | string }

function elementPaths(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([name, children]) => {
    if (name === '#text' || typeof children === 'string') return []
    const path = prefix === '' ? name : `${prefix}/${name}`
    return [path, ...children.flatMap((child) => (typeof child === 'object' ? elementPaths(child, path) : []))]
  })
}

interface Use {
  file: string
  type: string
  path: string
}

function usesOf(file: string): Use[] {
  const document = parser.parse(readFileSync(file, 'utf8')) as Tree
  const [type, roots] = Object.entries(document).find(([name]) => name !== '?xml') ?? []
  if (!type || !Array.isArray(roots)) throw new Error(`${file} has no root element`)
  const paths = new Set(roots.flatMap((root) => (typeof root === 'object' ? elementPaths(root) : [])))
  return [...paths].map((path) => ({ file: relative(ROOT, file), type, path }))
}

const USES = METADATA_FILES.flatMap(usesOf)
const rowFor = (use: Use): ElementVersion | undefined =>
  (ELEMENT_VERSIONS as Record<string, Record<string, ElementVersion>>)[use.type]?.[use.path]

/** Why each use cannot deploy at `version`, as sentences naming the file, the element and the reference. */
function refusals(uses: Use[], version: number): string[] {
  return uses.flatMap((use) => {
    const row = rowFor(use)
    const where = `${use.file}: <${use.path}> of ${use.type}`
    if (!row) return [`${where} is not in test/support/metadata-api-versions.ts (check the reference, add a row)`]
    const page = REFERENCE[use.type as MetadataType]
    if (row.since > version) return [`${where} exists from API ${row.since.toFixed(1)} (${row.source}; ${page})`]
    if (row.until !== undefined && row.until < version) {
      return [`${where} is listed up to API ${row.until.toFixed(1)} only (${row.source}; ${page})`]
    }
    return []
  })
}

describe('metadata elements against the API version', () => {
  it('reads every metadata file of every package directory', () => {
    expect(METADATA_FILES.length).toBeGreaterThanOrEqual(19)
    expect(new Set(USES.map((use) => use.type))).toEqual(new Set(Object.keys(REFERENCE)))
  })

  it('every element the metadata uses exists at sourceApiVersion, per the reference', () => {
    expect(PROJECT.sourceApiVersion).toMatch(/^\d+\.0$/)
    expect(refusals(USES, SOURCE_API_VERSION)).toEqual([])
  })

  it('sourceApiVersion is the oldest version that has every element used', () => {
    const oldest = Math.max(...USES.map((use) => rowFor(use)?.since ?? Number.POSITIVE_INFINITY))
    expect(SOURCE_API_VERSION).toBe(oldest)
  })

  it('refuses an element newer than the version, one the reference no longer lists, and one it never listed', () => {
    const flow = 'salesforce/force-app/main/default/flows/Example.flow-meta.xml'
    const policy = 'salesforce/force-app/main/default/extlClntAppPolicies/Example.ecaPlcy-meta.xml'
    expect(refusals([{ file: policy, type: 'ExtlClntAppConfigurablePolicies', path: 'startPage' }], 62)).toEqual([
      expect.stringContaining('<startPage> of ExtlClntAppConfigurablePolicies exists from API 63.0'),
    ])
    expect(refusals([{ file: flow, type: 'Flow', path: 'actionCalls/nameSegment' }], 63)).toEqual([
      expect.stringContaining('is listed up to API 61.0 only'),
    ])
    expect(refusals([{ file: flow, type: 'Flow', path: 'recordUpdates/filterLogic' }], 63)).toEqual([
      expect.stringContaining('is not in test/support/metadata-api-versions.ts'),
    ])
  })

  it('the table lists no element the metadata does not use (rows with an end version stay as warnings)', () => {
    const used = new Set(USES.map((use) => `${use.type} ${use.path}`))
    const unused = Object.entries(ELEMENT_VERSIONS).flatMap(([type, table]) =>
      Object.entries(table)
        .filter(([path, row]) => row.until === undefined && !used.has(`${type} ${path}`))
        .map(([path]) => `${type} ${path}`),
    )
    expect(unused).toEqual([])
  })

  it('flows run at the same API version, and flowcart calls the REST API at it by default', () => {
    const flows = USES.filter((use) => use.type === 'Flow' && use.path === 'apiVersion').map((use) => use.file)
    expect(flows.length).toBeGreaterThanOrEqual(3)
    for (const file of flows) {
      const xml = readFileSync(join(ROOT, file), 'utf8')
      expect(xml.match(/<apiVersion>([^<]+)<\/apiVersion>/)?.[1], file).toBe(PROJECT.sourceApiVersion)
    }
    expect(DEFAULT_API_VERSION).toBe(PROJECT.sourceApiVersion)
  })
})
