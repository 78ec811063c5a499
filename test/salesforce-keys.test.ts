// npm run salesforce:keys on a copy of salesforce/: a key pair flowcart signs in with, and a certificate in the ECA.
import { spawnSync } from 'node:child_process'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPrivateKey } from '../src/salesforce/private-key.js'
import { createTokenProvider } from '../src/salesforce/token-provider.js'
import { generateKeyPair, startSalesforceEmulator } from '../tools/salesforce-emulator/index.js'
import { emulatorSettings, TEST_CONSUMER_KEY, TEST_USERNAME } from './support/salesforce-settings.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const KEY_FILE = 'salesforce/.keys/flowcart-private-key.pem'
const CERTIFICATE_FILE = 'salesforce/certificate.pem'
const ECA_OAUTH_FILE =
  'salesforce/force-app/main/default/extlClntAppGlobalOauthSets/Flowcart_glbloauth.ecaGlblOauth-meta.xml'
const CERTIFICATE_ELEMENT = /<certificate>([^<]*)<\/certificate>/g
const BEGIN_CERTIFICATE = '-----BEGIN CERTIFICATE-----'

const temps: string[] = []

/** A repository root holding a copy of salesforce/, or of another copy's. A key of the working tree stays behind. */
function copyProject(from = ROOT): string {
  const root = mkdtempSync(join(tmpdir(), 'flowcart-keys-'))
  temps.push(root)
  const keys = join(ROOT, 'salesforce/.keys')
  cpSync(join(from, 'salesforce'), join(root, 'salesforce'), { recursive: true, filter: (path) => path !== keys })
  return root
}

function runKeys(root: string, ...flags: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/salesforce-keys.ts', '--root', root, ...flags], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8')
const certificateIn = (xml: string) => [...xml.matchAll(CERTIFICATE_ELEMENT)].map((m) => m[1] ?? '')
const withoutCertificate = (xml: string) => xml.replace(CERTIFICATE_ELEMENT, '<certificate/>')
const modeOf = (path: string) => statSync(path).mode & 0o777
/** Every `heroku config:set` command in a text, its continuation lines joined, spaces collapsed. */
function configSets(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ')
  return [...joined.matchAll(/heroku config:set[^\n]*/g)].map((m) => m[0].replace(/\s+/g, ' ').trim())
}
const variablesOf = (command: string) => [...command.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1])

/** The numbered steps of the printed next steps, each with its text up to the next one. */
function numberedSteps(stdout: string): { number: number; text: string }[] {
  const parts = stdout.split(/^ {2}(\d+)\. /m)
  const steps: { number: number; text: string }[] = []
  for (let i = 1; i < parts.length; i += 2) steps.push({ number: Number(parts[i]), text: parts[i + 1] ?? '' })
  return steps
}
const snapshot = (root: string) => [KEY_FILE, CERTIFICATE_FILE, ECA_OAUTH_FILE].map((file) => read(root, file))

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

describe('npm run salesforce:keys', () => {
  let root: string
  let committedXml: string
  let first: ReturnType<typeof runKeys>

  beforeAll(() => {
    root = copyProject()
    committedXml = read(root, ECA_OAUTH_FILE)
    // Once a certificate is committed, a plain run refuses (tested below); this run then needs --force.
    first = committedXml.includes(BEGIN_CERTIFICATE) ? runKeys(root, '--force') : runKeys(root)
  })

  it('writes the private key, readable by its owner only, in a folder of its own', () => {
    expect(first.status, first.stderr).toBe(0)
    expect(modeOf(join(root, KEY_FILE))).toBe(0o600)
    expect(modeOf(join(root, 'salesforce/.keys'))).toBe(0o700)
    expect(read(root, KEY_FILE)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
  })

  it('puts a self-signed RSA certificate for the private key into the ECA, and the same into certificate.pem', () => {
    const pems = certificateIn(read(root, ECA_OAUTH_FILE))
    expect(pems).toHaveLength(1)
    const certificate = new X509Certificate(pems[0] ?? '')
    expect(certificate.subject).toBe('CN=flowcart')
    expect(certificate.checkIssued(certificate)).toBe(true)
    expect(certificate.verify(certificate.publicKey)).toBe(true)
    expect(certificate.signatureAlgorithm).toBe('sha256WithRSAEncryption')
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa')
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048)
    expect(certificate.publicKey.equals(createPublicKey(createPrivateKey(read(root, KEY_FILE))))).toBe(true)
    const days = (certificate.validToDate.getTime() - certificate.validFromDate.getTime()) / 86_400_000
    expect(days).toBeGreaterThanOrEqual(730)
    expect(days).toBeLessThanOrEqual(731)
    expect(new X509Certificate(read(root, CERTIFICATE_FILE)).fingerprint256).toBe(certificate.fingerprint256)
  })

  it('changes nothing in the ECA file but the certificate text, and keeps it well formed', () => {
    const xml = read(root, ECA_OAUTH_FILE)
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(withoutCertificate(xml)).toBe(withoutCertificate(committedXml))
    expect(xml).toContain(`<certificate>${BEGIN_CERTIFICATE}\n`)
    expect(xml).toContain('-----END CERTIFICATE-----</certificate>')
  })

  it('prints the next steps with the Heroku config vars flowcart reads', () => {
    for (const text of [
      'sf project deploy start --source-dir force-app',
      `SF_PRIVATE_KEY="$(cat ${join(root, KEY_FILE)})"`,
      'External Client App Manager → Flowcart',
      'SF_CONSUMER_KEY=<consumer key>',
      'SF_USERNAME=<integration username>',
      'SF_LOGIN_URL=https://login.salesforce.com',
    ]) {
      expect(first.stdout).toContain(text)
    }
  })

  it('prints the line that registers another org, with the flags npm run orgs -- add takes', () => {
    const joined = first.stdout.replace(/\\\n\s*/g, ' ').replace(/ {2,}/g, ' ')
    expect(joined).toContain(
      'heroku run -x -- npm run -s orgs -- add --org-id <org Id> --name <name> --login-url https://login.salesforce.com ' +
        '--username <integration username> --consumer-key <consumer key>',
    )
  })

  it("sets the four SF_ variables in one heroku config:set, the walkthrough's own line", () => {
    // Each config:set restarts the app, and with some SF_ variables set but not all it refuses to start.
    const commands = configSets(first.stdout)
    expect(commands).toHaveLength(1)
    expect(variablesOf(commands[0] ?? '')).toEqual(['SF_LOGIN_URL', 'SF_USERNAME', 'SF_CONSUMER_KEY', 'SF_PRIVATE_KEY'])
    const walkthrough = configSets(read(ROOT, 'salesforce/README.md'))
    expect(walkthrough).toHaveLength(1)
    expect(commands[0]).toBe(walkthrough[0]?.replace(KEY_FILE, join(root, KEY_FILE)))
  })

  it("lists its steps in the walkthrough's order, naming the integration user only once it is created", () => {
    const steps = numberedSteps(first.stdout)
    expect(steps.map((step) => step.number)).toEqual(steps.map((_step, index) => index + 1))
    // Each printed step names the walkthrough's steps it follows ("step 4"), and they only go forward.
    const followed = steps.map((step) => [...step.text.matchAll(/\bstep (\d+)\b/g)].map((m) => Number(m[1])))
    expect(followed.every((numbers) => numbers.length > 0)).toBe(true)
    expect(followed.flat()).toEqual(followed.flat().sort((a, b) => a - b))
    const created = steps.findIndex((step) => /Create Flowcart's integration user/.test(step.text))
    expect(created).toBeGreaterThan(0)
    for (const step of steps.slice(0, created)) {
      expect(step.text).not.toMatch(/integration user|--on-behalf-of|assign permset/)
    }
    // A permission set goes to the user where the walkthrough says, with the command it shows there.
    expect(first.stdout).not.toContain('sf org assign permset')
  })

  it('a second run without --force refuses and changes nothing', () => {
    const before = snapshot(root)
    const second = runKeys(root)
    expect(second.status).toBe(1)
    expect(second.stderr).toContain('--force')
    expect(snapshot(root)).toEqual(before)
  })

  it('refuses without --force while the ECA holds a certificate, even if the key file is gone', () => {
    const clone = copyProject(root)
    unlinkSync(join(clone, KEY_FILE))
    const before = [read(clone, ECA_OAUTH_FILE), read(clone, CERTIFICATE_FILE)]
    const run = runKeys(clone)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('already holds a certificate')
    expect(existsSync(join(clone, KEY_FILE))).toBe(false)
    expect([read(clone, ECA_OAUTH_FILE), read(clone, CERTIFICATE_FILE)]).toEqual(before)
  })

  it('--force replaces key and certificate with a new matching pair and a new serial', () => {
    const clone = copyProject(root)
    const old = new X509Certificate(read(clone, CERTIFICATE_FILE))
    expect(runKeys(clone, '--force').status).toBe(0)
    const fresh = new X509Certificate(certificateIn(read(clone, ECA_OAUTH_FILE))[0] ?? '')
    expect(fresh.serialNumber).not.toBe(old.serialNumber)
    expect(fresh.publicKey.equals(old.publicKey)).toBe(false)
    expect(fresh.publicKey.equals(createPublicKey(read(clone, KEY_FILE)))).toBe(true)
    expect(modeOf(join(clone, KEY_FILE))).toBe(0o600)
  })

  it('a rotation deploys the certificate alone: all of force-app would reset the URL set in Setup (README step 5)', () => {
    const clone = copyProject(root)
    const rotation = runKeys(clone, '--force')
    expect(rotation.status).toBe(0)
    const deploys = rotation.stdout.split('\n').filter((line) => line.includes('sf project deploy start'))
    expect(deploys).toEqual([
      expect.stringContaining(
        'sf project deploy start --source-dir force-app/main/default/extlClntAppGlobalOauthSets ',
      ),
    ])
    expect(rotation.stdout).toContain('heroku config:set SF_PRIVATE_KEY=')
  })

  it('a rotation changes only the key, in one heroku config:set, and names no user', () => {
    const clone = copyProject(root)
    const rotation = runKeys(clone, '--force')
    expect(rotation.status).toBe(0)
    const commands = configSets(rotation.stdout)
    expect(commands.map(variablesOf)).toEqual([['SF_PRIVATE_KEY']])
    expect(rotation.stdout).not.toMatch(/integration user|assign permset/)
  })

  it('the key loads in both printed SF_PRIVATE_KEY forms, as src/salesforce/private-key.ts reads them', () => {
    const pem = read(root, KEY_FILE)
    const expected = readPrivateKey({ file: join(root, KEY_FILE) })
    // "$(cat file)" drops the trailing newline; "$(base64 < file | tr -d '\n')" is one line of base64.
    expect(readPrivateKey({ value: pem.trimEnd() })).toBe(expected)
    expect(readPrivateKey({ value: Buffer.from(pem).toString('base64') })).toBe(expected)
  })

  it('signs in end to end: the token provider gets a token from an emulator that trusts the certificate', async () => {
    const certificate = new X509Certificate(certificateIn(read(root, ECA_OAUTH_FILE))[0] ?? '')
    const publicKey = certificate.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const emulator = await startSalesforceEmulator({
      consumerKey: TEST_CONSUMER_KEY,
      username: TEST_USERNAME,
      publicKey,
    })
    try {
      const privateKey = readPrivateKey({ file: join(root, KEY_FILE) })
      const token = await createTokenProvider(emulatorSettings(emulator.url, privateKey, 5000)).getToken()
      expect(token.accessToken).not.toBe('')
      // A key the certificate doesn't belong to is refused, so the success above is the certificate's doing.
      const stranger = createTokenProvider(emulatorSettings(emulator.url, generateKeyPair().privateKey, 5000))
      await expect(stranger.getToken()).rejects.toMatchObject({
        error: 'invalid_grant',
        errorDescription: 'invalid assertion',
      })
    } finally {
      await emulator.close()
    }
  })
})

describe('.gitignore', () => {
  it('ignores the key folder', () => {
    const lines = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')
    expect(lines.map((line) => line.trim())).toContain('salesforce/.keys/')
  })

  // Git's own reading of the rules; --no-index so that a key added to the index by mistake still counts as covered.
  it.runIf(existsSync(join(ROOT, '.git')))('git check-ignore covers the key file', () => {
    const run = spawnSync('git', ['check-ignore', '--no-index', '--quiet', KEY_FILE], { cwd: ROOT })
    expect(run.status).toBe(0)
  })
})

// Salesforce's pages for the External Client App types. Each assertion below passes the page it follows as its message.
const DOCS = {
  eca: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_externalclientapplication.htm',
  globalOauth:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappglobaloauthsettings.htm',
  oauth: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthsettings.htm',
  oauthPolicies:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthconfigurablepolicies.htm',
  policies:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappconfigurablepolicies.htm',
  createLocal: 'https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.meta_create_a_local_external_client_app.htm',
  deployGlobal:
    'https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.deploy_external_client_app_with_global_settings_file.htm',
  oauthHelp:
    'https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.meta_configure_external_client_app_oauth_settings.htm',
}

const METADATA = 'salesforce/force-app/main/default'
const ECA_FILES = {
  ExternalClientApplication: 'externalClientApps/Flowcart.eca-meta.xml',
  ExtlClntAppGlobalOauthSettings: 'extlClntAppGlobalOauthSets/Flowcart_glbloauth.ecaGlblOauth-meta.xml',
  ExtlClntAppOauthSettings: 'extlClntAppOauthSettings/Flowcart_oauth.ecaOauth-meta.xml',
  ExtlClntAppOauthConfigurablePolicies: 'extlClntAppOauthPolicies/Flowcart_oauth_defaultPolicy.ecaOauthPlcy-meta.xml',
  ExtlClntAppConfigurablePolicies: 'extlClntAppPolicies/Flowcart_plcy.ecaPlcy-meta.xml',
}
type EcaType = keyof typeof ECA_FILES
type Fields = Record<string, string | undefined>
const ECA_TYPES = Object.keys(ECA_FILES) as EcaType[]

// Values stay strings ("true", "15"), as written; comments are dropped.
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false })
const ecaXml = (type: EcaType) => read(ROOT, `${METADATA}/${ECA_FILES[type]}`)
const eca = (type: EcaType) =>
  ((parser.parse(ecaXml(type)) as Record<string, Fields | undefined>)[type] ?? {}) as Fields
const elementsOf = (fields: Fields) => Object.keys(fields).filter((name) => !name.startsWith('@_'))

describe('External Client App metadata (committed files)', () => {
  it.each(ECA_TYPES)('%s: well formed, one root, Metadata API namespace, elements in WSDL order', (type) => {
    expect(XMLValidator.validate(ecaXml(type))).toBe(true)
    const doc = parser.parse(ecaXml(type)) as Record<string, unknown>
    expect(Object.keys(doc).filter((name) => name !== '?xml')).toEqual([type])
    expect(eca(type)['@_xmlns']).toBe('http://soap.sforce.com/2006/04/metadata')
    // The WSDL sequence of these types is alphabetical (the @salesforce/types declarations generated from it); the
    // Metadata API rejects an element out of sequence ("invalid at this location in type ...").
    const elements = elementsOf(eca(type))
    expect(elements).toEqual([...elements].sort())
  })

  it('no org-generated or secret element in any of them', () => {
    const all = ECA_TYPES.flatMap((type) => elementsOf(eca(type)))
    // Generated on deploy, and "must not be added to source control".
    expect(all, DOCS.globalOauth).not.toContain('consumerKey')
    expect(all, DOCS.globalOauth).not.toContain('consumerSecret')
    // "Deployment fails if there's an OAuth link field in the settings file with incorrect information."
    expect(all, DOCS.deployGlobal).not.toContain('oauthLink')
    // "[Organization_ID]:[name]", generated during the first deployment.
    expect(all, DOCS.eca).not.toContain('orgScopedExternalApp')
  })

  it('each settings file names the Flowcart app (a required field)', () => {
    expect(eca('ExtlClntAppGlobalOauthSettings').externalClientApplication, DOCS.globalOauth).toBe('Flowcart')
    expect(eca('ExtlClntAppOauthSettings').externalClientApplication, DOCS.oauth).toBe('Flowcart')
    expect(eca('ExtlClntAppOauthConfigurablePolicies').externalClientApplication, DOCS.oauthPolicies).toBe('Flowcart')
    expect(eca('ExtlClntAppConfigurablePolicies').externalClientApplication, DOCS.policies).toBe('Flowcart')
    expect(ECA_FILES.ExternalClientApplication).toBe('externalClientApps/Flowcart.eca-meta.xml')
  })

  it('ExternalClientApplication: a local app with a contact email', () => {
    const header = eca('ExternalClientApplication')
    // "Make sure that the distribution state is set to local"; contactEmail is required.
    expect(header.distributionState, DOCS.createLocal).toBe('Local')
    expect(header.contactEmail, DOCS.createLocal).toMatch(/^[^@\s]+@[^@\s]+$/)
    expect(header.label).toBe('Flowcart')
  })

  it('ExtlClntAppGlobalOauthSettings: one certificate slot, holding the placeholder or a usable certificate', () => {
    // "When provided, it enables the JWT Bearer flow" (API 60.0 and later).
    const slot = certificateIn(ecaXml('ExtlClntAppGlobalOauthSettings'))
    expect(slot, DOCS.globalOauth).toHaveLength(1)
    const text = slot[0] ?? ''
    if (!text.startsWith(BEGIN_CERTIFICATE)) {
      expect(text).toContain('npm run salesforce:keys')
      return
    }
    const certificate = new X509Certificate(text)
    expect(certificate.checkIssued(certificate)).toBe(true)
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048)
  })

  it('ExtlClntAppOauthSettings: the API scope (and RefreshToken)', () => {
    // Required; the names are the ConnectedAppOauthAccessScope values of the Metadata API.
    const scopes = eca('ExtlClntAppOauthSettings')
      .commaSeparatedOauthScopes?.split(',')
      .map((scope) => scope.trim())
    expect(scopes, DOCS.oauthHelp).toEqual(['Api', 'RefreshToken'])
  })

  it('ExtlClntAppOauthConfigurablePolicies: users of Flowcart_Service are pre-authorized', () => {
    const policies = eca('ExtlClntAppOauthConfigurablePolicies')
    // AllSelfAuthorized | AdminApprovedPreAuthorized; with the latter, commaSeparatedPermissionSet says who. The page
    // says permission set IDs; public deploys use the API name, the only org-independent choice (see the XML comment).
    expect(policies.permittedUsersPolicyType, DOCS.oauthPolicies).toBe('AdminApprovedPreAuthorized')
    expect(policies.commaSeparatedPermissionSet, DOCS.oauthPolicies).toBe('Flowcart_Service')
    expect(existsSync(join(ROOT, METADATA, 'permissionsets/Flowcart_Service.permissionset-meta.xml'))).toBe(true)
    expect(policies.isClientCredentialsFlowEnabled, DOCS.oauthPolicies).toBe('false')
  })

  it('ExtlClntAppConfigurablePolicies: plugins on, the OAuth plugin included', () => {
    const policies = eca('ExtlClntAppConfigurablePolicies')
    // isEnabled is required: "If true, all plugins are enabled unless individually disabled".
    expect(policies.isEnabled, DOCS.policies).toBe('true')
    expect(policies.isOauthPluginEnabled, DOCS.policies).toBe('true')
  })
})
