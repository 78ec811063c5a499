// SalesforceSettings for a client that talks to the emulator (its URL is both login and instance URL).
import { DEFAULT_API_VERSION } from '../../src/salesforce/names.js'
import { deriveAudience, type SalesforceSettings } from '../../src/salesforce/settings.js'

export const TEST_CONSUMER_KEY = '3MVG9flowcart.test.consumer'
export const TEST_USERNAME = 'integration@flowcart.example'

export function emulatorSettings(url: string, privateKey: string, timeoutMs: number): SalesforceSettings {
  return {
    loginUrl: url,
    consumerKey: TEST_CONSUMER_KEY,
    username: TEST_USERNAME,
    privateKey,
    audience: deriveAudience(url),
    apiVersion: DEFAULT_API_VERSION,
    timeoutMs,
  }
}
