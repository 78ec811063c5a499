// The REST client the rest of the app uses: SOQL and sObject Collections, with timeouts, one 401 retry, typed errors.
import { Connection, type HttpRequest, type HttpResponse, type StreamPromise } from '@jsforce/jsforce-node'
import { SalesforceRequestError, SalesforceUnavailableError, sessionRefused, toSalesforceError } from './errors.js'
import { FLOWCART_CLIENT_ID } from './names.js'
import { type RecordResult, toRecordResult } from './record-result.js'
import type { ApiSettings } from './settings.js'
import type { SalesforceLogger, TokenProvider } from './token-provider.js'

export interface SalesforceClient {
  /** Runs a SOQL query and returns the records of every page. */
  query<T>(soql: string): Promise<T[]>
  /** Updates by Id through sObject Collections, 200 per call, allOrNone false; one result per record, in order. */
  updateRecords(sobject: string, records: Array<{ Id: string } & Record<string, unknown>>): Promise<RecordResult[]>
  /** Inserts through sObject Collections, 200 per call (also how platform events are published). */
  createRecords(sobject: string, records: Record<string, unknown>[]): Promise<RecordResult[]>
}

export interface SalesforceClientDeps {
  tokenProvider: TokenProvider
  logger: SalesforceLogger
}

const COLLECTION_LIMIT = 200
// jsforce retries idempotent methods (GET…) on 420/429/5xx and socket errors for ~15 s by default; two quick retries
// (250 ms, 500 ms) ride out a blip and leave the rest of the time budget to the caller. PATCH/POST are never retried.
const RETRY = { maxRetries: 2, minTimeout: 250, timeoutFactor: 2, statusCodes: [429, 500, 502, 503, 504] }

interface QueryPage<T> {
  done: boolean
  nextRecordsUrl?: string
  records: T[]
}

export function createSalesforceClient(settings: ApiSettings, deps: SalesforceClientDeps): SalesforceClient {
  const { tokenProvider, logger } = deps

  // One Connection per request: its refreshFn allows a single refresh, because jsforce re-sends after every
  // successful refresh without limit and a token Salesforce keeps rejecting would otherwise loop forever.
  async function exchange<T>(request: HttpRequest, deadline: AbortSignal, deadlineAt: number): Promise<T> {
    const token = await tokenProvider.getToken()
    // A token that came late leaves no time: the request is not sent at all. A request sent after the caller has
    // given up on it could reach Salesforce after a newer one (a newer stock event published meanwhile).
    if (deadline.aborted)
      throw new SalesforceUnavailableError(`Salesforce did not answer within ${settings.timeoutMs} ms`)
    let refreshed = false
    let refreshError: Error | undefined
    let lastStatus: number | undefined
    const conn = new Connection({
      version: settings.apiVersion,
      // Sforce-Call-Options: client=flowcart on every call, so Change Data Capture names flowcart in the changeOrigin
      // of the records it writes ("Use this field to detect whether your app initiated the change", CDC Developer
      // Guide, cdc_event_fields_header.htm; REST API Developer Guide, headers_calloptions.htm). The catalog's
      // subscriber skips those changes (src/catalog-sync/stock-edits.ts).
      callOptions: { client: FLOWCART_CLIENT_ID },
      instanceUrl: token.instanceUrl,
      accessToken: token.accessToken,
      refreshFn: (c, callback) => {
        if (c.accessToken) tokenProvider.invalidate(c.accessToken)
        if (refreshed || deadline.aborted) {
          refreshError = sessionRefused(
            "Salesforce rejected the integration user's session again right after re-authenticating",
          )
          callback(refreshError)
          return
        }
        refreshed = true
        logger.info('Salesforce rejected the session; re-authenticating once')
        tokenProvider.getToken().then(
          (fresh) => {
            c.instanceUrl = fresh.instanceUrl
            callback(null, fresh.accessToken)
          },
          (err: Error) => {
            refreshError = err
            callback(err)
          },
        )
      },
    })
    // jsforce errors do not carry the HTTP status; record it to tell a 5xx from a request error.
    const transport = {
      httpRequest(req: HttpRequest, options?: object): StreamPromise<HttpResponse> {
        const pending = conn._transport.httpRequest(req, options)
        pending.then((res) => (lastStatus = res.statusCode)).catch(() => {})
        return pending
      },
    }
    try {
      // What is left of the deadline, so the socket is closed when the caller gives up, not up to a timeout later.
      const timeout = Math.max(1, deadlineAt - performance.now())
      return await conn.request<T>(request, { retry: RETRY, timeout, transport })
    } catch (err) {
      throw toSalesforceError(refreshError ?? err, lastStatus)
    }
  }

  // The deadline covers the token, the request, the one refresh and the re-send; jsforce's own `timeout` aborts the
  // socket, the race also catches a response whose body never finishes.
  async function send<T>(request: HttpRequest): Promise<T> {
    const started = performance.now()
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(new SalesforceUnavailableError(`Salesforce did not answer within ${settings.timeoutMs} ms`))
      }, settings.timeoutMs)
    })
    try {
      return await Promise.race([exchange<T>(request, controller.signal, started + settings.timeoutMs), timedOut])
    } catch (err) {
      const mapped = toSalesforceError(err)
      const durationMs = Math.round(performance.now() - started)
      // Salesforce's words are logged once, by whoever answers for the failure (the error handler, the publisher).
      logger.debug({ method: request.method, code: mapped.code, durationMs }, 'Salesforce call failed')
      throw mapped
    } finally {
      clearTimeout(timer)
    }
  }

  async function saveCollection(method: 'PATCH' | 'POST', records: Record<string, unknown>[]): Promise<RecordResult[]> {
    const results: RecordResult[] = []
    for (let i = 0; i < records.length; i += COLLECTION_LIMIT) {
      const chunk = records.slice(i, i + COLLECTION_LIMIT)
      const body = JSON.stringify({ allOrNone: false, records: chunk })
      const headers = { 'content-type': 'application/json' }
      const response = await send<unknown>({ method, url: '/composite/sobjects', body, headers })
      if (!Array.isArray(response) || response.length !== chunk.length) {
        throw new SalesforceRequestError('UNEXPECTED_RESPONSE', 'sObject Collections returned no result per record')
      }
      results.push(...response.map(toRecordResult))
    }
    return results
  }

  return {
    async query<T>(soql: string) {
      const records: T[] = []
      let url = `/query?q=${encodeURIComponent(soql)}`
      for (;;) {
        const page = await send<QueryPage<T>>({ method: 'GET', url })
        records.push(...page.records)
        if (page.done || !page.nextRecordsUrl) return records
        // jsforce sends an absolute URL, token and all, wherever it points: follow only a path on the same org.
        if (!page.nextRecordsUrl.startsWith('/services/data/')) {
          throw new SalesforceRequestError('UNEXPECTED_RESPONSE', 'the next page of a query is not on this org')
        }
        url = page.nextRecordsUrl
      }
    },
    updateRecords(sobject, records) {
      return saveCollection(
        'PATCH',
        records.map(({ Id, ...fields }) => ({ ...fields, attributes: { type: sobject }, id: Id })),
      )
    },
    createRecords(sobject, records) {
      return saveCollection(
        'POST',
        records.map((fields) => ({ ...fields, attributes: { type: sobject } })),
      )
    },
  }
}
