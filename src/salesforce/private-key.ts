// Turns SF_PRIVATE_KEY / SF_PRIVATE_KEY_FILE into a validated PEM, with errors that never echo the key.
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'

export interface PrivateKeySource {
  /** SF_PRIVATE_KEY: PEM (real or literal `\n` newlines) or base64 of the PEM. */
  value?: string
  /** SF_PRIVATE_KEY_FILE: path to a PEM file. */
  file?: string
}

const MIN_RSA_BITS = 2048

/** Returns the key as a PKCS#8 PEM; throws one-line errors naming the variable at fault. */
export function readPrivateKey({ value, file }: PrivateKeySource): string {
  const hasValue = Boolean(value?.trim())
  const hasFile = Boolean(file?.trim())
  if (hasValue && hasFile) {
    throw new Error('SF_PRIVATE_KEY and SF_PRIVATE_KEY_FILE are both set; set only one')
  }
  if (hasFile) return parse('SF_PRIVATE_KEY_FILE', readKeyFile(String(file).trim()))
  if (hasValue) return parse('SF_PRIVATE_KEY', String(value))
  throw new Error(
    'SF_PRIVATE_KEY or SF_PRIVATE_KEY_FILE must be set to the RSA private key whose certificate is on the External Client App (npm run salesforce:keys)',
  )
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error'
    throw new Error(`SF_PRIVATE_KEY_FILE: cannot read ${path} (${code})`)
  }
}

function parse(variable: string, raw: string): string {
  const pem = toPem(variable, raw)
  if (/-----BEGIN (CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY)-----/.test(pem)) {
    throw new Error(`${variable} holds a certificate or public key; the private key is needed`)
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new Error(`${variable} holds an encrypted private key; provide it without a passphrase`)
  }
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch {
    // OpenSSL's message adds nothing useful and we never risk echoing input.
    throw new Error(`${variable} is not a readable PEM private key`)
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`${variable} must be an RSA key (RS256), not ${key.asymmetricKeyType ?? 'unknown'}`)
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < MIN_RSA_BITS) {
    throw new Error(`${variable} is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`)
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString()
}

// Config vars often lose their newlines (pasted as literal \n) or are stored base64-encoded to survive that.
function toPem(variable: string, raw: string): string {
  const text = raw
    .trim()
    .replace(/^(['"])([\s\S]*)\1$/, '$2')
    .trim()
  if (text.includes('-----BEGIN')) {
    return `${text.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n')}\n`
  }
  const compact = text.replace(/\s+/g, '')
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8')
    if (decoded.includes('-----BEGIN')) return toPem(variable, decoded)
  }
  throw new Error(`${variable} is neither a PEM private key nor base64 of one`)
}
