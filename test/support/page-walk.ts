// Reads a whole listing page after page, as a Flow loop does: with offset (items counted so far) or with after (the
// id of the last item so far), until a page comes back shorter than pageSize.
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { authHeaders } from '../helper.js'

export type Paging = 'offset' | 'after'

const MAX_PAGES = 200

export interface WalkOptions {
  pageSize?: number
  /** Further query parameters of every page, e.g. `includeInactive=true`. */
  query?: string
  headers?: Record<string, string>
  /** Runs before every page but the first, e.g. to place an order between two pages. */
  betweenPages?: () => Promise<void>
}

/** The ids of every item listed at `path` ('/orders', '/products'), in the order the pages gave them. */
export async function walkPages(
  app: FastifyInstance,
  path: string,
  paging: Paging,
  { pageSize = 5, query, headers = authHeaders, betweenPages }: WalkOptions = {},
): Promise<number[]> {
  const ids: number[] = []
  // A listing that never ends (an after that is not taken gives the first page again) fails rather than hangs.
  for (let pages = 1; pages <= MAX_PAGES; pages++) {
    if (ids.length > 0) await betweenPages?.()
    const parameters = [`pageSize=${pageSize}`, ...(query ? [query] : [])]
    if (ids.length > 0) parameters.push(paging === 'offset' ? `offset=${ids.length}` : `after=${ids.at(-1)}`)
    const response = await app.inject({ url: `${path}?${parameters.join('&')}`, headers })
    expect(response.statusCode, response.body).toBe(200)
    const page = (response.json() as Array<{ id: number }>).map((item) => item.id)
    ids.push(...page)
    if (page.length < pageSize) return ids
  }
  throw new Error(`${path} was still listing after ${MAX_PAGES} pages: ${ids.slice(0, 20).join(', ')}…`)
}
