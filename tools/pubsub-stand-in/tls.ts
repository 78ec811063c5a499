// A certificate authority made at start, and the server's certificate for localhost and 127.0.0.1 that it signs, so a
// client can verify the stand-in's TLS as it verifies Salesforce's: it only has to trust the CA (NODE_EXTRA_CA_CERTS).
import { randomBytes } from 'node:crypto'
import forge from 'node-forge'

export interface StandInTls {
  /** The CA certificate (PEM) a client trusts. */
  caPem: string
  /** The server's private key and certificate chain (PEM). */
  keyPem: string
  certPem: string
}

const DAY_MS = 24 * 60 * 60 * 1000

function certificate(
  publicKey: forge.pki.PublicKey,
  subject: forge.pki.CertificateField[],
  serial: string,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  cert.serialNumber = serial
  // Backdated a little: a client whose clock is slightly behind still accepts it.
  cert.validity.notBefore = new Date(Date.now() - DAY_MS)
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY_MS)
  cert.setSubject(subject)
  return cert
}

/** A CA: its certificate, which clients trust, and the key that signs the servers' certificates. */
export interface StandInCa {
  certPem: string
  keyPem: string
}

// Every CA has a name of its own: a client finds a certificate's issuer among the CAs it trusts by name, so two CAs of
// one name trusted together (a test run's, through NODE_EXTRA_CA_CERTS, and one a demo made in that run) would let it
// check a certificate against the wrong one and refuse it ("certificate signature failure"), now and then.
const caName = () => [{ name: 'commonName', value: `flowcart Pub/Sub stand-in CA ${randomBytes(6).toString('hex')}` }]

export function generateCa(): StandInCa {
  const caKeys = forge.pki.rsa.generateKeyPair(2048)
  const name = caName()
  const ca = certificate(caKeys.publicKey, name, '01')
  ca.setIssuer(name)
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ])
  ca.sign(caKeys.privateKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(ca), keyPem: forge.pki.privateKeyToPem(caKeys.privateKey) }
}

/**
 * The server's key and certificate, signed by `givenCa` (one a test run trusts through NODE_EXTRA_CA_CERTS, made
 * before its processes start) or by a CA made now.
 */
export function generateTls(givenCa: StandInCa = generateCa()): StandInTls {
  const caKey = forge.pki.privateKeyFromPem(givenCa.keyPem)
  const issuer = forge.pki.certificateFromPem(givenCa.certPem).subject.attributes

  const serverKeys = forge.pki.rsa.generateKeyPair(2048)
  const server = certificate(serverKeys.publicKey, [{ name: 'commonName', value: 'localhost' }], '02')
  server.setIssuer(issuer)
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Node checks the name against subjectAltName only: localhost, and 127.0.0.1 for clients that dial the address.
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ])
  server.sign(caKey, forge.md.sha256.create())

  return {
    caPem: givenCa.certPem,
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
    certPem: forge.pki.certificateToPem(server),
  }
}
