// Key pairs for the JWT bearer flow: the service signs with the private key, the emulator verifies with the public one.
import { generateKeyPairSync } from 'node:crypto'

// jsonwebtoken 9 refuses RSA keys shorter than 2048 bits.
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
}
