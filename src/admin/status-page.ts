// The status page: every org's figures and its last 24 hours, as HTML rendered on the server.
//
// Rendered with eta (https://eta.js.org): it escapes every `<%= %>` by default, so an org's name is text whatever it
// holds; it has no dependency, types of its own, Node >= 20 in its engines, and compiles a template string once, so
// the template ships in dist/ as a module and nothing is read from disk per request. Handlebars and Nunjucks bring a
// helper language and more code for a single page; JSX would bring a build step; @fastify/view only wraps these.
import { createHash } from 'node:crypto'
import { Eta } from 'eta/core'
import { barChart, CHART_HEIGHT, CHART_WIDTH } from './chart.js'
import type { OrgChart, OrgFigures, Revenue } from './org-figures.js'
import { STATUS_PAGE_CSS, STATUS_PAGE_TEMPLATE } from './status-page-template.js'
import type { CatalogChanges, PublishPath, TokenState } from './sync-figures.js'

const eta = new Eta({ autoEscape: true })
const template = eta.compile(STATUS_PAGE_TEMPLATE)

/**
 * No script may run, and nothing may load: the page's one stylesheet is allowed by its hash, and the charts are
 * inline SVG drawn with attributes, which no CSP directive governs.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const TOKEN_WORDS: Record<TokenState, string> = {
  valid: 'valid',
  'not-requested': 'not requested yet',
  refused: 'refused by the org',
  failing: 'failing (Salesforce down or slow)',
  none: 'none',
}
const PATH_WORDS: Record<PublishPath, string> = {
  jwt: 'JWT bearer sign-in',
  applink: 'AppLink authorization',
  none: 'none',
}

/** "2026-05-01 09:30 UTC": minutes are enough to the eye; the JSON has the exact time. */
export const timeText = (iso: string | null) =>
  iso === null ? 'never' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
export const revenueText = (revenue: Revenue[]) =>
  revenue.length === 0
    ? 'none'
    : revenue.map(({ amount, currencyCode }) => `${amount.toFixed(2)} ${currencyCode}`).join(', ')

function figuresOf(org: OrgFigures) {
  return [
    { key: 'lastCallAt', label: 'Last call', text: timeText(org.lastCallAt) },
    { key: 'today.orders', label: 'Orders today', text: String(org.today.orders) },
    { key: 'today.revenue', label: 'Revenue today', text: revenueText(org.today.revenue) },
    { key: 'last30Days.orders', label: 'Orders, 30 days', text: String(org.last30Days.orders) },
    { key: 'last30Days.revenue', label: 'Revenue, 30 days', text: revenueText(org.last30Days.revenue) },
    { key: 'eventsPending', label: 'Events pending', text: String(org.eventsPending) },
    {
      key: 'oldestPendingSeconds',
      label: 'Oldest pending',
      text: org.oldestPendingSeconds === null ? 'none' : `${Math.round(org.oldestPendingSeconds)} s`,
    },
    { key: 'lastPublishedAt', label: 'Last publish', text: timeText(org.lastPublishedAt) },
    { key: 'lastErrorCode', label: 'Last error', text: org.lastErrorCode ?? 'none' },
    { key: 'token', label: 'Token', text: TOKEN_WORDS[org.token] },
    { key: 'publishesVia', label: 'Publishes via', text: PATH_WORDS[org.publishesVia] },
    ...catalogFiguresOf(org.catalogChanges ?? null),
  ]
}

/** Only while the catalog follows Salesforce: the org's subscription to its changes. */
function catalogFiguresOf(changes: CatalogChanges | null) {
  if (!changes) return []
  return [
    { key: 'catalogChanges.state', label: 'Catalog changes', text: changes.state },
    { key: 'catalogChanges.lastAppliedAt', label: 'Last catalog change', text: timeText(changes.lastAppliedAt) },
    {
      key: 'catalogChanges.delaySeconds',
      label: 'Catalog delay',
      text: changes.delaySeconds === null ? 'none' : `${changes.delaySeconds.toFixed(1)} s`,
    },
  ]
}

function chartsOf(chart: OrgChart) {
  const from = `${(chart.hours[0] ?? '').slice(11, 16)} UTC`
  const orders = barChart(chart.orders, chart.hours, (value, hour) => `${hour}: ${value ?? 0} orders`)
  const delay = barChart(chart.maxDelayMs, chart.hours, (value, hour) =>
    value === null ? `${hour}: no publish` : `${hour}: at most ${value} ms`,
  )
  const published = chart.maxDelayMs.some((value) => value !== null)
  return [
    {
      ...orders,
      key: 'orders',
      from,
      colour: '#2563eb',
      caption: orders.max > 0 ? `Orders per hour (highest: ${orders.max})` : 'Orders per hour: none in 24 hours',
    },
    {
      ...delay,
      key: 'delay',
      from,
      colour: '#d97706',
      caption: published
        ? `Sync delay, longest per hour (highest: ${delay.max} ms)`
        : 'Sync delay, longest per hour: no publish in 24 hours',
    },
  ]
}

export function renderStatusPage(orgs: OrgFigures[], charts: OrgChart[], now: Date): string {
  const chartOf = new Map(charts.map((chart) => [chart.orgKey, chart]))
  return eta.render(template, {
    css: STATUS_PAGE_CSS,
    generatedAt: now.toISOString(),
    generatedAtText: timeText(now.toISOString()),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    orgs: orgs.map((org) => {
      const chart = chartOf.get(org.orgKey)
      return {
        orgKey: org.orgKey,
        name: org.name,
        idText: org.orgId ?? 'no org Id: the SF_* variables or APPLINK_AUTHORIZATION, and the default login',
        status: org.status,
        getsNoEvents: org.publishesVia === 'none',
        figures: figuresOf(org),
        charts: chart ? chartsOf(chart) : [],
      }
    }),
  })
}
