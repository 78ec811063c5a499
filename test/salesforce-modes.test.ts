// What each mode deploys to Salesforce: basic mode the force-app package directory, AppLink mode the shared components
// (manifest/applink-mode.xml) before `heroku salesforce:publish` and the applink package directory after it, under
// names that cannot meet the ones publish creates. Read from sfdx-project.json, the manifest, the metadata and the
// commands README.md gives.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { ELEVATED_AUTHORIZATION } from '../src/http/applink-document.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SALESFORCE = join(ROOT, 'salesforce')
const BASIC = join(SALESFORCE, 'force-app/main/default')
const APPLINK = join(SALESFORCE, 'applink/main/default')
const MANIFEST = 'manifest/applink-mode.xml'

function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

/** The file of each component, as the Salesforce CLI's source format names them. */
const SOURCE_FILE: Record<string, (member: string) => string> = {
  CustomObject: (name) => `objects/${name}/${name}.object-meta.xml`,
  CustomField: (name) => {
    const [object, field] = name.split('.')
    return `objects/${object}/fields/${field}.field-meta.xml`
  },
  Flow: (name) => `flows/${name}.flow-meta.xml`,
  PermissionSet: (name) => `permissionsets/${name}.permissionset-meta.xml`,
}

function manifestMembers(): { type: string; member: string }[] {
  const path = join(SALESFORCE, MANIFEST)
  if (!existsSync(path)) return []
  const parser = new XMLParser({ isArray: (name) => ['types', 'members'].includes(name), parseTagValue: false })
  const pkg = (
    parser.parse(readFileSync(path, 'utf8')) as { Package: { types: { name: string; members: string[] }[] } }
  ).Package
  return pkg.types.flatMap((types) => types.members.map((member) => ({ type: types.name, member })))
}

/** The shell commands of README.md's code blocks, continuation lines joined, in document order. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== ''),
  )
}

const flag = (command: string, name: string) => command.match(new RegExp(`--${name}[= ](\\S+)`))?.[1]

describe('two modes, two sets of metadata', () => {
  it('sfdx-project.json declares force-app (basic mode, the default), applink, and catalog-from-salesforce', () => {
    const project = JSON.parse(readFileSync(join(SALESFORCE, 'sfdx-project.json'), 'utf8'))
    expect(project.packageDirectories).toEqual([
      { path: 'force-app', default: true },
      { path: 'applink' },
      { path: 'catalog-from-salesforce' },
    ])
  })

  it('the permission set publish creates from its template is not deployed before publish', () => {
    const file = `permissionsets/${ELEVATED_AUTHORIZATION.permissionSet}.permissionset-meta.xml`
    expect(existsSync(join(BASIC, file))).toBe(false)
    expect(walk(APPLINK).map((path) => path.slice(APPLINK.length + 1))).toEqual([file])
    expect(manifestMembers()).not.toContainEqual({
      type: 'PermissionSet',
      member: ELEVATED_AUTHORIZATION.permissionSet,
    })
  })

  it('the AppLink manifest names shared components of force-app only: no basic-mode callout, credential or app', () => {
    const members = manifestMembers()
    expect(members.map(({ type }) => type).sort()).toEqual([
      'CustomField',
      'CustomField',
      'CustomField',
      'CustomField',
      'CustomObject',
      'Flow',
      'PermissionSet',
    ])
    for (const { type, member } of members) {
      const file = SOURCE_FILE[type]?.(member) ?? ''
      expect(existsSync(join(BASIC, file)), `${type}:${member}`).toBe(true)
      // A flow bound to the basic registration's actions and types does not work with AppLink's (herokuapplink__...).
      const xml = readFileSync(join(BASIC, file), 'utf8')
      expect(xml, `${type}:${member}`).not.toMatch(
        /<actionName>Flowcart\.|ExternalService__|Flowcart-FlowcartPrincipal/,
      )
    }
    expect(members).toContainEqual({ type: 'PermissionSet', member: 'Flowcart_Service' })
    expect(members).toContainEqual({ type: 'Flow', member: 'Flowcart_Stock_Update' })
    const project = JSON.parse(readFileSync(join(SALESFORCE, 'sfdx-project.json'), 'utf8'))
    const manifest = readFileSync(join(SALESFORCE, MANIFEST), 'utf8')
    expect(manifest.match(/<version>([^<]+)<\/version>/)?.[1]).toBe(project.sourceApiVersion)
  })

  it("README.md publishes under names of AppLink's own, and deploys the applink directory after publish", () => {
    const commands = readmeCommands()
    const publish = commands.findIndex((command) => command.startsWith('heroku salesforce:publish'))
    expect(publish).toBeGreaterThan(-1)
    const command = commands[publish] ?? ''
    const clientName = flag(command, 'client-name')
    // The basic-mode External Service, External Client App and permission sets, which publish must not meet.
    const basicNames = walk(BASIC)
      .filter((path) => /(externalServiceRegistrations|externalClientApps|permissionsets)\//.test(path))
      .map((path) => path.replace(/^.*\//, '').replace(/\..*$/, ''))
    expect(basicNames).toEqual(expect.arrayContaining(['Flowcart', 'Flowcart_Integration', 'Flowcart_Service']))
    expect(clientName).toMatch(/^[A-Za-z][A-Za-z0-9]*$/)
    expect(basicNames).not.toContain(clientName)
    expect(flag(command, 'authorization-permission-set-name')).toBe(ELEVATED_AUTHORIZATION.permissionSet)
    expect(flag(command, 'authorization-external-client-app-name')).toBe(ELEVATED_AUTHORIZATION.externalClientApp)
    expect(basicNames).not.toContain(ELEVATED_AUTHORIZATION.externalClientApp)

    const deploys = commands.map((line, index) => ({ line, index })).filter(({ line }) => line.includes('deploy start'))
    const before = deploys.filter(({ index }) => index < publish && index > publish - 8).map(({ line }) => line)
    const after = deploys.filter(({ index }) => index > publish).map(({ line }) => line)
    expect(before).toEqual([expect.stringContaining(`--manifest ${MANIFEST}`)])
    expect(after[0]).toContain('--source-dir applink')
    const assign = commands.find((line, index) => index > publish && line.startsWith('sf org assign permset')) ?? ''
    expect(assign).toContain(`--name ${clientName}`)
    expect(assign).toContain(`--name ${ELEVATED_AUTHORIZATION.permissionSet}`)
  })
})
