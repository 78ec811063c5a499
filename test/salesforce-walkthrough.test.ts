// The walkthrough in salesforce/README.md against the metadata it deploys: the fallback deploys in an order in which
// every component finds what it names, no deploy after step 5 that puts the named credential's placeholder URL back
// (in the first org, nor in a second one after its own), and commands a newcomer can run as written.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SALESFORCE = join(ROOT, 'salesforce')
const BASIC = 'force-app/main/default'
const README = readFileSync(join(SALESFORCE, 'README.md'), 'utf8')

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

/** Files of force-app, relative to salesforce/ as the walkthrough's commands name them. */
const FILES = walk(join(SALESFORCE, BASIC)).map((file) => relative(SALESFORCE, file))
/** Its placeholder URL goes over the one set in Setup whenever it is deployed. */
const NAMED_CREDENTIAL = FILES.find((file) => file.includes('/namedCredentials/')) ?? ''

/** The text of one `### n.` step of the walkthrough, or of everything after its heading with `rest`. */
function step(n: number, rest = false): string {
  const start = README.indexOf(`\n### ${n}. `)
  if (start === -1) throw new Error(`no step ${n} in salesforce/README.md`)
  const end = rest ? README.length : README.indexOf('\n### ', start + 1)
  return README.slice(start, end === -1 ? README.length : end)
}

/** The text of one `## ` section, from its heading to the next. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`)
  if (start === -1) throw new Error(`no section "${title}" in salesforce/README.md`)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end === -1 ? README.length : end)
}

/** Shell commands of the text's code blocks, continuation lines joined. */
function commands(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== ''),
  )
}

const deploys = (text: string) => commands(text).filter((line) => line.startsWith('sf project deploy start'))
const sourceDirs = (command: string) => [...command.matchAll(/--source-dir (\S+)/g)].map((m) => m[1] ?? '')
const covered = (dirs: string[], file: string) => dirs.some((dir) => file === dir || file.startsWith(`${dir}/`))
const targetOrg = (command: string) => command.match(/--target-org (\S+)/)?.[1]

/** The files a file names by API name, in the forms this project's metadata uses. */
function references(file: string): string[] {
  const xml = readFileSync(join(SALESFORCE, file), 'utf8')
  const named = (pattern: RegExp) => [...xml.matchAll(pattern)].map((m) => m[1] ?? '')
  const inDir = (dir: string, suffix: string) => (name: string) => `${BASIC}/${dir}/${name}.${suffix}-meta.xml`
  return [
    ...named(/<externalCredentialPrincipal>(\w+)-/g).map(inDir('externalCredentials', 'externalCredential')),
    ...named(/<externalCredential>(\w+)</g).map(inDir('externalCredentials', 'externalCredential')),
    ...named(/<namedCredential>(\w+)</g).map(inDir('namedCredentials', 'namedCredential')),
    ...named(/<externalClientApplication>(\w+)</g).map(inDir('externalClientApps', 'eca')),
    ...named(/<commaSeparatedPermissionSet>([^<]+)</g)
      .flatMap((list) => list.split(',').map((name) => name.trim()))
      .map(inDir('permissionsets', 'permissionset')),
    ...named(/<actionName>(\w+)\./g).map(inDir('externalServiceRegistrations', 'externalServiceRegistration')),
    // Custom fields and objects (…__c, …__e) live under objects/, one folder per object.
    ...named(/(\w+__e)\b/g).map((name) => `${BASIC}/objects/${name}/${name}.object-meta.xml`),
    ...[...xml.matchAll(/<field>(\w+)\.(\w+__c)</g)].map(
      (m) => `${BASIC}/objects/${m[1]}/fields/${m[2]}.field-meta.xml`,
    ),
  ].filter((ref, index, all) => ref !== file && all.indexOf(ref) === index)
}

describe('the walkthrough of salesforce/README.md', () => {
  it('step 4 gives the fallback as deploys that cover force-app, each after what its files name', () => {
    const [whole, ...fallback] = deploys(step(4))
    expect(sourceDirs(whole ?? '')).toEqual(['force-app'])
    expect(fallback.length).toBeGreaterThanOrEqual(2)
    const dirs = fallback.map(sourceDirs)
    expect(FILES.filter((file) => !dirs.some((d) => covered(d, file)))).toEqual([])
    const missing = FILES.flatMap((file) => {
      const at = dirs.findIndex((d) => covered(d, file))
      return references(file)
        .filter((ref) => !dirs.slice(0, at + 1).some((d) => covered(d, ref)))
        .map((ref) => `${file} (deploy ${at + 1}) names ${ref}, deployed later or never`)
    })
    expect(missing).toEqual([])
  })

  it('the dependency reading finds what the files name (so the order check above can fail)', () => {
    const permissionSet = `${BASIC}/permissionsets/Flowcart_Integration.permissionset-meta.xml`
    expect(references(permissionSet)).toContain(`${BASIC}/externalCredentials/Flowcart.externalCredential-meta.xml`)
    expect(references(`${BASIC}/flows/Flowcart_Place_Order.flow-meta.xml`)).toContain(
      `${BASIC}/externalServiceRegistrations/Flowcart.externalServiceRegistration-meta.xml`,
    )
    expect(
      references(`${BASIC}/extlClntAppOauthPolicies/Flowcart_oauth_defaultPolicy.ecaOauthPlcy-meta.xml`),
    ).toContain(`${BASIC}/permissionsets/Flowcart_Service.permissionset-meta.xml`)
  })

  it('from step 5 on, no deploy puts the placeholder URL of the named credential back', () => {
    // A second org is set up from zero in its own section, which the next test holds to the same rule.
    const later = deploys(step(5, true).replace(section('Adding a second org'), ''))
    expect(later.filter((command) => covered(sourceDirs(command), NAMED_CREDENTIAL))).toEqual([])
    expect(step(5)).toMatch(/never deploy all of `force-app` again/)
  })

  it('a second org gets the whole deploy before its own named credential is set, and none that resets it after', () => {
    const text = section('Adding a second org')
    const [whole, ...others] = deploys(text)
    expect(sourceDirs(whole ?? '')).toEqual(['force-app'])
    const org = targetOrg(whole ?? '')
    expect(org).toBeDefined()
    expect(org).not.toBe(targetOrg(deploys(step(4))[0] ?? ''))
    expect(others.filter((command) => covered(sourceDirs(command), NAMED_CREDENTIAL))).toEqual([])
    const credentialStep = text.indexOf('\n### E. ')
    expect(credentialStep).toBeGreaterThan(text.indexOf(whole ?? ''))
    expect(text.slice(credentialStep)).toMatch(/never deploy all of `force-app` to it again/)
  })

  it('names the integration user as a placeholder: a username must be unique across all Salesforce orgs', () => {
    const named = commands(README).flatMap((line) => [
      ...[...line.matchAll(/--on-behalf-of (\S+)/g)].map((m) => m[1] ?? ''),
      ...[...line.matchAll(/SF_USERNAME=(\S+)/g)].map((m) => m[1] ?? ''),
    ])
    expect(named.length).toBeGreaterThan(0)
    expect(named.filter((name) => !name.startsWith('<'))).toEqual([])
  })

  it('reads the consumer key in Setup, and says a retrieve of the consumer secrets may not work', () => {
    const six = step(6)
    expect(six).toContain('**Consumer Key and Secret**')
    expect(commands(six).filter((line) => line.startsWith('sf project retrieve'))).toEqual([])
    expect(six.indexOf('Consumer Key and Secret')).toBeLessThan(six.indexOf('retrieve'))
    // As the type reference states the user permission: to configure (deploy) the settings, not only to read them.
    expect(step(2).replace(/\s+/g, ' ')).toContain(
      '"is required for users with developer roles to configure global OAuth settings"',
    )
  })

  it('gives users a way to the screen flow other than Debug, and says the flows arrive active in a Developer org', () => {
    const screenFlows = FILES.filter((file) => file.endsWith('.flow-meta.xml'))
      .filter((file) => readFileSync(join(SALESFORCE, file), 'utf8').includes('<processType>Flow</processType>'))
      .map((file) => file.replace(/^.*\//, '').replace('.flow-meta.xml', ''))
    expect(screenFlows).toEqual(['Flowcart_Place_Order'])
    expect(step(7)).toContain(`/lightning/flow/${screenFlows[0]}`)
    expect(step(4)).toContain('platform.flow_distribute_deploy_active.htm')
    expect(step(4)).not.toMatch(/Developer Edition org is\s+one/)
  })
})
