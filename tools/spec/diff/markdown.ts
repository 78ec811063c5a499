// Renders classified spec changes as the Markdown block a reviewer reads in the pull request.
import type { SpecChange } from './types.js'

export interface RenderOptions {
  /** The git ref the current spec is compared with. */
  baseRef: string
  /** The spec did not exist at baseRef, so everything in it is new. */
  baseMissing?: boolean
  /** The document's file name (default openapi.generated.json). */
  specFile?: string
}

export function renderMarkdown(
  changes: SpecChange[],
  { baseRef, baseMissing = false, specFile = 'openapi.generated.json' }: RenderOptions,
): string {
  const title = specFile === 'openapi.generated.json' ? '' : ` (\`${specFile}\`)`
  const lines = [`## OpenAPI contract changes since \`${baseRef}\`${title}`, '']
  if (baseMissing) {
    lines.push(`\`${specFile}\` does not exist at \`${baseRef}\`: the whole current spec is new.`, '')
  }
  if (changes.length === 0) {
    lines.push(`No contract changes since \`${baseRef}\`.`)
    return `${lines.join('\n')}\n`
  }
  const breaking = changes.filter((change) => change.kind === 'breaking')
  const safe = changes.filter((change) => change.kind === 'safe')
  lines.push(
    breaking.length > 0
      ? `**${breaking.length} breaking**, ${safe.length} safe. Breaking changes need the External Service ` +
          'registration refreshed and the Flows using the listed actions updated in the same release.'
      : `No breaking changes; ${safe.length} safe.`,
    '',
  )
  for (const [title, group] of [
    ['Breaking', breaking],
    ['Safe', safe],
  ] as const) {
    if (group.length === 0) continue
    lines.push(`### ${title}`, '', '| Area | Operations | Change | Pointer |', '| --- | --- | --- | --- |')
    for (const change of group) {
      const operations = change.operationIds.map((id) => `\`${id}\``).join(', ') || '—'
      lines.push(
        `| ${change.area} | ${cell(operations)} | ${cell(change.summary)} | ${cell(`\`${change.pointer}\``)} |`,
      )
    }
    lines.push('')
  }
  return lines.join('\n')
}

// A pipe ends a table cell even inside a code span, and a newline ends the row.
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
