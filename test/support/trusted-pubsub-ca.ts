// The CA every test's Pub/Sub stand-in signs with, made once per test run (vitest globalSetup) and trusted the way a
// deployed flowcart trusts a CA of its own: NODE_EXTRA_CA_CERTS, which Node reads when a process starts, so the
// test processes are started after it is set. flowcart has no other way to be told of a CA.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateCa, type StandInCa } from '../../tools/pubsub-stand-in/tls.js'

const KEY_VARIABLE = 'FLOWCART_TEST_PUBSUB_CA_KEY'

/** vitest globalSetup: runs in the main process before the test processes are forked, which inherit the variables. */
export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'flowcart-pubsub-ca-'))
  const ca = generateCa()
  const certFile = join(dir, 'ca.pem')
  const keyFile = join(dir, 'ca-key.pem')
  // A CA file the environment already trusts stays trusted: both go into the one file Node reads.
  const already = process.env.NODE_EXTRA_CA_CERTS
  writeFileSync(certFile, `${already ? `${readFileSync(already, 'utf8').trim()}\n` : ''}${ca.certPem}`)
  writeFileSync(keyFile, `${ca.keyPem}\n${ca.certPem}`, { mode: 0o600 })
  process.env.NODE_EXTRA_CA_CERTS = certFile
  process.env[KEY_VARIABLE] = keyFile
  return () => rmSync(dir, { recursive: true, force: true })
}

/** In a test: the run's CA, for startPubSubStandIn({ ca }). */
export function trustedPubSubCa(): StandInCa {
  const file = process.env[KEY_VARIABLE]
  if (!file) throw new Error(`${KEY_VARIABLE} is not set: the vitest globalSetup did not run`)
  const text = readFileSync(file, 'utf8')
  const [keyPem = '', certPem = ''] = text.split(/(?=-----BEGIN CERTIFICATE-----)/)
  return { keyPem: keyPem.trim(), certPem: certPem.trim() }
}
