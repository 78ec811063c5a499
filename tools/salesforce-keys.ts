import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// npm run salesforce:keys [--force] [--root <dir>]: a new RSA key pair and self-signed certificate for flowcart's
// JWT bearer sign-in. The certificate goes into the External Client App metadata; the private key stays local.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import forge from 'node-forge'

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
const KEY_FILE = 'salesforce/.keys/flowcart-private-key.pem'
const CERTIFICATE_FILE = 'salesforce/certificate.pem'
const ECA_OAUTH_FILE =
  'salesforce/force-app/main/default/extlClntAppGlobalOauthSets/Flowcart_glbloauth.ecaGlblOauth-meta.xml'
// The element's text is a placeholder or a PEM; neither contains '<', so this stops at the closing tag.
const CERTIFICATE_ELEMENT = /(<certificate>)([^<]*)(<\/certificate>)/g
// Salesforce's own walkthrough ("Create a Private Key and Self-Signed Digital Certificate",
// https://developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_auth_key_and_cert.htm) uses a
// 2048-bit RSA key and a SHA-256 signature; src/salesforce/private-key.ts refuses anything shorter.
const RSA_BITS = 2048
// Rotation means a deploy and a Heroku config change, so keep it rare; but bound how long a leaked key stays useful.
const VALIDITY_YEARS = 2

interface KeyMaterial {
  privateKeyPem: string
  certificatePem: string
  notAfter: Date
}

function createKeyMaterial(): KeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: RSA_BITS,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey)
  // RFC 5280: a positive serial of at most 20 octets, unique per issuer; 16 random bytes with the top bit cleared.
  const serial = randomBytes(16)
  serial[0] = (serial[0] ?? 0) & 0x7f
  cert.serialNumber = serial.toString('hex')
  // A minute in the past, so a clock that runs slightly behind still sees the certificate as valid.
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(cert.validity.notBefore)
  cert.validity.notAfter.setFullYear(cert.validity.notAfter.getFullYear() + VALIDITY_YEARS)
  const name = [{ name: 'commonName', value: 'flowcart' }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create())
  // Through node:crypto so the PEM has '\n' line ends (forge writes '\r\n') and is known to parse.
  const certificatePem = new X509Certificate(forge.pki.certificateToPem(cert)).toString()
  return { privateKeyPem: privateKey, certificatePem, notAfter: cert.validity.notAfter }
}

/** Why the run must not go ahead without --force, or undefined when nothing deployed can be lost. */
function refusal(root: string, ecaXml: string): string | undefined {
  if (existsSync(join(root, KEY_FILE))) return `${KEY_FILE} already exists`
  if (ecaXml.includes('-----BEGIN CERTIFICATE-----')) return `${ECA_OAUTH_FILE} already holds a certificate`
  return undefined
}

function withCertificate(ecaXml: string, certificatePem: string): string {
  const slots = [...ecaXml.matchAll(CERTIFICATE_ELEMENT)].length
  if (slots !== 1) throw new Error(`${ECA_OAUTH_FILE} must have exactly one <certificate> element, found ${slots}`)
  return ecaXml.replace(CERTIFICATE_ELEMENT, (_all, open: string, _old: string, close: string) => {
    return `${open}${certificatePem.trimEnd()}${close}`
  })
}

function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, text, { mode: 0o600 })
  // The mode option only applies to a new file; an overwritten one (--force) keeps its old mode otherwise.
  chmodSync(path, 0o600)
}

// Each config:set restarts the app ("Whenever you set or remove a config var using any method, your app is restarted
// and a new release is created", https://devcenter.heroku.com/articles/config-vars), and flowcart refuses to start
// with only some SF_ variables set ("Salesforce is partly configured"): so one call sets all four, in the order of
// salesforce/README.md step 6.
function configSet(keyPath: string): string {
  return `heroku config:set SF_LOGIN_URL=https://login.salesforce.com SF_USERNAME=<integration username> \\
         SF_CONSUMER_KEY=<consumer key> SF_PRIVATE_KEY="$(cat ${keyPath})"`
}

function base64Form(keyPath: string): string {
  return `SF_PRIVATE_KEY="$(base64 < ${keyPath} | tr -d '\\n')"`
}

function nextSteps(keyPath: string, notAfter: Date, rotation: boolean): string {
  const expiry = `The certificate expires on ${notAfter.toISOString().slice(0, 10)}; run this again with --force before then.`
  if (rotation) {
    // Only the certificate: a deploy of all of force-app would put back the placeholder URL of the named credential.
    // The other SF_ variables are set already, so the key alone changes (one restart).
    return `
Next steps (details: salesforce/README.md):
  1. Deploy the new certificate alone, and commit ${ECA_OAUTH_FILE} and ${CERTIFICATE_FILE}:
       cd salesforce && sf project deploy start --source-dir force-app/main/default/extlClntAppGlobalOauthSets --target-org <org alias>
     An org that still uses a Connected App: upload ${CERTIFICATE_FILE} under "Use digital signatures" instead.
  2. Give flowcart the new private key (the key never goes into git). Until then it cannot sign in:
       heroku config:set SF_PRIVATE_KEY="$(cat ${keyPath})"
     If your shell loses the newlines, write ${base64Form(keyPath)} there instead.
${expiry}`
  }
  return `
Next steps, in the order of the walkthrough in salesforce/README.md:
  1. Prepare the org (step 2: "Opt in to External Client Apps", and the deploying user needs "View External Client
     Apps Consumer Secrets in Metadata"), deploy (step 4), and commit ${ECA_OAUTH_FILE} and ${CERTIFICATE_FILE}:
       cd salesforce && sf project deploy start --source-dir force-app --target-org <org alias>
     An org that still uses a Connected App: upload ${CERTIFICATE_FILE} under "Use digital signatures" instead.
  2. Point the named credential Flowcart at your app and give its principal the password (step 5).
  3. Create Flowcart's integration user and assign it the Flowcart_Service permission set (step 6). Its username
     must be unique across all Salesforce orgs; use it below as <integration username>.
  4. Copy the consumer key from Setup → External Client App Manager → Flowcart → Settings → OAuth Settings →
     Consumer Key and Secret (step 6).
  5. Give flowcart all four settings in one command (step 6): each config:set restarts the app, and with only some
     of them set it refuses to start. A sandbox logs in at https://test.salesforce.com. The key never goes into git.
       ${configSet(keyPath)}
     If your shell loses the newlines, write ${base64Form(keyPath)} there instead.
  6. Another org, once this one works: deploy force-app there too (the first command above, with that org's alias;
     the same certificate serves every org), give it its own integration user and read its consumer key as for this
     one (step 6), then register it; the command prints that org's own login for its Named Credential principal
     (salesforce/README.md: Adding a second org):
       ${orgsAdd()}
${expiry}`
}

// The org registry's command, run on a one-off dyno (-x passes its exit code on:
// https://github.com/heroku/cli/blob/main/docs/run.md); src/orgs-command.ts reads these flags.
function orgsAdd(): string {
  return `heroku run -x -- npm run -s orgs -- add --org-id <org Id> --name <name> \\
         --login-url https://login.salesforce.com --username <integration username> --consumer-key <consumer key>`
}

function main(): number {
  const { values } = parseArgs({ options: { force: { type: 'boolean' }, root: { type: 'string' } } })
  const root = resolve(values.root ?? REPO_ROOT)
  const ecaPath = join(root, ECA_OAUTH_FILE)
  const ecaXml = readFileSync(ecaPath, 'utf8')
  const reason = refusal(root, ecaXml)
  if (reason && !values.force) {
    console.error(`Refusing: ${reason}. A new key pair invalidates the certificate deployed with the old one.`)
    console.error('Run again with --force to replace it, then deploy and update SF_PRIVATE_KEY.')
    return 1
  }
  const material = createKeyMaterial()
  const updatedXml = withCertificate(ecaXml, material.certificatePem)
  const keyPath = join(root, KEY_FILE)
  writePrivate(keyPath, material.privateKeyPem)
  writeFileSync(join(root, CERTIFICATE_FILE), material.certificatePem)
  writeFileSync(ecaPath, updatedXml)
  // Relative to where the operator stands, so the printed commands can be pasted; absolute for a --root elsewhere.
  const shown = (path: string) => {
    const near = relative(process.cwd(), path)
    return near && !near.startsWith('..') ? near : path
  }
  console.log(`Wrote the private key to ${shown(keyPath)} (mode 600, git-ignored)`)
  console.log(`Wrote the certificate to ${shown(ecaPath)} and ${shown(join(root, CERTIFICATE_FILE))}`)
  console.log(nextSteps(shown(keyPath), material.notAfter, reason !== undefined))
  return 0
}

try {
  process.exitCode = main()
} catch (err) {
  console.error(`salesforce:keys: ${(err as Error).message}`)
  process.exitCode = 1
}
