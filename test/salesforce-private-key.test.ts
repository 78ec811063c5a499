import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readPrivateKey } from '../src/salesforce/private-key.js'

const rsa = (modulusLength: number) =>
  generateKeyPairSync('rsa', {
    modulusLength,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })

const { privateKey: pem, publicKey } = rsa(2048)
const pkcs1 = createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }).toString()
const body = (key: string) => key.split('\n').filter((line) => line && !line.startsWith('-----'))
const dir = mkdtempSync(join(tmpdir(), 'flowcart-key-'))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Same key material, whatever form it arrived in.
const sameKey = (a: string, b: string) =>
  createPrivateKey(a)
    .export({ type: 'pkcs8', format: 'der' })
    .equals(createPrivateKey(b).export({ type: 'pkcs8', format: 'der' }))

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected an error')
}

function expectNoKeyMaterial(message: string) {
  expect(message).not.toContain('-----BEGIN')
  for (const line of [...body(pem), ...body(publicKey)]) expect(message).not.toContain(line.slice(0, 24))
  expect(message.split('\n')).toHaveLength(1)
}

describe('readPrivateKey', () => {
  it('accepts a PEM with real newlines', () => {
    const result = readPrivateKey({ value: pem })
    expect(result).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(sameKey(result, pem)).toBe(true)
  })

  it('accepts a PEM whose newlines were flattened to a literal \\n', () => {
    const flattened = pkcs1.trim().replaceAll('\n', '\\n')
    expect(flattened).not.toContain('\n')
    expect(sameKey(readPrivateKey({ value: flattened }), pem)).toBe(true)
  })

  it('accepts the PEM base64-encoded, and tolerates surrounding quotes', () => {
    const encoded = Buffer.from(pem).toString('base64')
    expect(sameKey(readPrivateKey({ value: encoded }), pem)).toBe(true)
    expect(sameKey(readPrivateKey({ value: `"${pem.trim()}"` }), pem)).toBe(true)
  })

  it('reads the key from a file', () => {
    const path = join(dir, 'server.key')
    writeFileSync(path, pkcs1)
    expect(sameKey(readPrivateKey({ file: path }), pem)).toBe(true)
  })

  it('treats empty values as unset', () => {
    const path = join(dir, 'only-file.key')
    writeFileSync(path, pem)
    expect(sameKey(readPrivateKey({ value: '  ', file: path }), pem)).toBe(true)
  })

  it.each([
    ['nothing set', {}, /^SF_PRIVATE_KEY or SF_PRIVATE_KEY_FILE must be set/],
    ['both set', { value: pem, file: '/tmp/x.key' }, /^SF_PRIVATE_KEY and SF_PRIVATE_KEY_FILE are both set/],
    ['garbage', { value: 'not a key at all!' }, /^SF_PRIVATE_KEY is neither a PEM private key nor base64 of one$/],
    ['base64 of something else', { value: Buffer.from('hello world').toString('base64') }, /neither a PEM/],
    ['a public key', { value: publicKey }, /^SF_PRIVATE_KEY holds a certificate or public key/],
    ['a truncated PEM', { value: pem.slice(0, 400) }, /^SF_PRIVATE_KEY is not a readable PEM private key$/],
    ['a corrupted PEM', { value: pem.replace('\nMII', '\nAAA') }, /^SF_PRIVATE_KEY is not a readable/],
    ['a 1024-bit key', { value: rsa(1024).privateKey }, /^SF_PRIVATE_KEY is a 1024-bit RSA key; at least 2048/],
    [
      'an EC key',
      {
        value: generateKeyPairSync('ec', {
          namedCurve: 'P-256',
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey,
      },
      /^SF_PRIVATE_KEY must be an RSA key \(RS256\), not ec$/,
    ],
    [
      'an encrypted key',
      {
        value: generateKeyPairSync('rsa', {
          modulusLength: 2048,
          privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey,
      },
      /^SF_PRIVATE_KEY holds an encrypted private key/,
    ],
  ])('rejects %s with a one-line message naming the variable', (_label, source, expected) => {
    const err = errorOf(() => readPrivateKey(source))
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toMatch(expected)
    expectNoKeyMaterial(err.message)
  })

  it('names SF_PRIVATE_KEY_FILE for a missing or bad file', () => {
    const missing = errorOf(() => readPrivateKey({ file: join(dir, 'missing.key') }))
    expect(missing.message).toMatch(/^SF_PRIVATE_KEY_FILE: cannot read .*missing\.key \(ENOENT\)$/)

    const path = join(dir, 'public.pem')
    writeFileSync(path, publicKey)
    const wrong = errorOf(() => readPrivateKey({ file: path }))
    expect(wrong.message).toMatch(/^SF_PRIVATE_KEY_FILE holds a certificate or public key/)
    expectNoKeyMaterial(wrong.message)
  })
})
