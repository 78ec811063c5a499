// products.csv read into rows to import. The header names the columns (in any order); each row is checked against
// the same ProductInput schema as createProduct, and every problem is reported with its line before anything is
// written. csv-parse reads the CSV itself (RFC 4180 quoting, a UTF-8 BOM as spreadsheets write it).
import { CsvError, parse } from 'csv-parse/sync'
import { Value } from 'typebox/value'
import type { ProductRow } from './import-products.js'
import { ProductInput } from './schemas.js'

export const REQUIRED_COLUMNS = ['sku', 'name', 'price', 'currencyCode'] as const
export const OPTIONAL_COLUMNS = ['description', 'active', 'quantityInStock'] as const
const KNOWN_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]
const MAX_STOCK = 2_000_000_000

export interface ProductCsv {
  rows: ProductRow[]
  /** `line N: what is wrong`, in file order; the file is imported only when there are none. */
  problems: string[]
}

type Cells = Partial<Record<(typeof KNOWN_COLUMNS)[number], string>>

/** The row's product and stock, or what is wrong with it. */
function rowOf(cells: Cells, line: number): ProductRow | string {
  const { sku = '', name = '', price = '', currencyCode = '', description, active = '', quantityInStock = '' } = cells
  if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(price)) return `price "${price}" is not an amount such as 12 or 12.50`
  if (!/^(true|false|)$/i.test(active)) return `active "${active}" is neither true nor false`
  if (!/^[0-9]*$/.test(quantityInStock) || Number(quantityInStock) > MAX_STOCK) {
    return `quantityInStock "${quantityInStock}" is not a whole number from 0 to ${MAX_STOCK}`
  }
  const product = {
    sku,
    name,
    price: Number(price),
    currencyCode,
    ...(description === undefined ? {} : { description }),
    ...(active === '' ? {} : { active: active.toLowerCase() === 'true' }),
  }
  const [error] = Value.Errors(ProductInput, product)
  if (error) return `${error.instancePath.slice(1) || 'row'} ${error.message}`
  return { line, product, quantityInStock: quantityInStock === '' ? undefined : Number(quantityInStock) }
}

function headerProblems(header: string[]): string[] {
  const unknown = header.filter((column) => !KNOWN_COLUMNS.includes(column))
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column))
  const repeated = header.filter((column, index) => header.indexOf(column) !== index)
  const columns = `the columns are ${KNOWN_COLUMNS.join(', ')}`
  return [
    ...unknown.map((column) => `line 1: unknown column "${column}" (${columns})`),
    ...missing.map((column) => `line 1: column ${column} is missing`),
    ...repeated.map((column) => `line 1: column ${column} appears twice`),
  ]
}

export function readProductCsv(text: string | Buffer): ProductCsv {
  let records: Array<{ record: string[]; info: { lines: number } }>
  try {
    // With `info`, each record comes with where it was read: its last line is the line a problem names.
    // Rows of another length than the header are let through, to be named with their line below.
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records
  } catch (error) {
    if (error instanceof CsvError) return { rows: [], problems: [error.message] }
    throw error
  }
  const [head, ...body] = records
  if (!head) return { rows: [], problems: ['the file is empty: the first line names the columns'] }
  const header = head.record
  const problems = headerProblems(header)
  if (problems.length > 0) return { rows: [], problems }

  const rows: ProductRow[] = []
  const lineOfSku = new Map<string, number>()
  for (const { record, info } of body) {
    const line = info.lines
    if (record.length !== header.length) {
      problems.push(`line ${line}: ${record.length} cells, but the first line names ${header.length} columns`)
      continue
    }
    const cells = Object.fromEntries(header.map((column, index) => [column, record[index] ?? ''])) as Cells
    const sku = cells.sku ?? ''
    const earlier = lineOfSku.get(sku)
    if (earlier !== undefined) problems.push(`line ${line}: SKU ${sku} is on line ${earlier} too`)
    else lineOfSku.set(sku, line)
    const row = rowOf(cells, line)
    if (typeof row === 'string') problems.push(`line ${line}: ${row}`)
    else rows.push(row)
  }
  return { rows, problems }
}
