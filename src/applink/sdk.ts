// @heroku/applink, loaded only in AppLink mode: it brings jsforce and @salesforce/core, about 66 MB of memory and
// 440 ms of start-up (measured on Node 24), which basic mode never pays. The SDK is CommonJS: its functions are taken
// as named exports, which Node finds in a CommonJS module (its default export differs between Node and tsx).
import type { Org } from '@heroku/applink'

export interface AppLinkSdk {
  /** Decodes x-client-context (heroku/heroku-applink-nodejs, src/index.ts: base64 JSON; userContext required). */
  parseRequest(headers: Record<string, unknown>): { org: Org }
  /** GET <HEROKU_APPLINK_API_URL>/authorizations/<name>, with the add-on's token (src/add-ons/heroku-applink.ts). */
  getAuthorization(developerName: string): Promise<Org>
}

let loading: Promise<AppLinkSdk> | undefined

export function loadAppLinkSdk(): Promise<AppLinkSdk> {
  loading ??= import('@heroku/applink').then(({ parseRequest, init }) => ({
    parseRequest(headers) {
      const { org } = parseRequest(headers, undefined, silentLogger).context
      if (!org) throw new Error('The client context names no org')
      return { org }
    },
    getAuthorization: (developerName) => init().addons.applink.getAuthorization(developerName),
  }))
  return loading as Promise<AppLinkSdk>
}

// The SDK logs through the logger it is given; flowcart logs the request itself (and never a token).
const silentLogger = { debug() {}, info() {}, warn() {}, error() {} }
