// The SOQL the service sends: SELECT fields FROM object [WHERE field = value | field IN (...) [AND ...]] [LIMIT n].
export type Literal = string | number | boolean | null

export interface Condition {
  field: string
  /** `=` is kept as a one-value IN. */
  values: Literal[]
}

export interface SoqlQuery {
  fields: string[]
  object: string
  where: Condition[]
  limit?: number
}

export class SoqlError extends Error {}

interface Token {
  kind: 'word' | 'string' | 'number' | 'punct' | 'end'
  text: string
  value?: Literal
  column: number
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' }
const LEXEME = /\s*(?:([A-Za-z][A-Za-z0-9_]*)|(-?\d+(?:\.\d+)?)|([(),=])|(')|(\S))/y
const MAX_SOQL_LENGTH = 100_000

const unexpected = (token: Token) =>
  new SoqlError(
    `ERROR at Row:1:Column:${token.column}\nunexpected token: ${token.kind === 'end' ? '<EOF>' : token.text}`,
  )

function readString(soql: string, start: number): { value: string; end: number } {
  let value = ''
  for (let i = start + 1; i < soql.length; i++) {
    const c = soql.charAt(i)
    if (c === "'") return { value, end: i + 1 }
    if (c !== '\\') {
      value += c
      continue
    }
    const next = soql.charAt(i + 1)
    const unicode = next === 'u' ? /^[0-9a-fA-F]{4}/.exec(soql.slice(i + 2, i + 6)) : null
    if (unicode) {
      value += String.fromCharCode(Number.parseInt(unicode[0], 16))
      i += 5
    } else if (ESCAPES[next.toLowerCase()] !== undefined) {
      value += ESCAPES[next.toLowerCase()]
      i += 1
    } else {
      throw new SoqlError(`Invalid string literal. Illegal character sequence '\\${next}' in string literal.`)
    }
  }
  throw new SoqlError(`ERROR at Row:1:Column:${start + 1}\nunterminated string literal`)
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = []
  LEXEME.lastIndex = 0
  for (let match = LEXEME.exec(soql); match; match = LEXEME.exec(soql)) {
    const [whole, word, number, punct, quote] = match
    const column = match.index + whole.length - whole.trimStart().length + 1
    if (quote) {
      const { value, end } = readString(soql, column - 1)
      tokens.push({ kind: 'string', text: soql.slice(column - 1, end), value, column })
      LEXEME.lastIndex = end
    } else if (word) tokens.push({ kind: 'word', text: word, column })
    else if (number) tokens.push({ kind: 'number', text: number, value: Number(number), column })
    else if (punct) tokens.push({ kind: 'punct', text: punct, column })
    else throw unexpected({ kind: 'punct', text: whole.trim(), column })
  }
  tokens.push({ kind: 'end', text: '', column: soql.trimEnd().length + 1 })
  return tokens
}

class Parser {
  private at = 0
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at] as Token
  }

  accept(text: string): boolean {
    const token = this.peek()
    if (token.kind === 'end' || token.kind === 'string' || token.text.toUpperCase() !== text) return false
    this.at += 1
    return true
  }

  expect(text: string): void {
    if (!this.accept(text)) throw unexpected(this.peek())
  }

  identifier(): string {
    const token = this.peek()
    if (token.kind !== 'word') throw unexpected(token)
    this.at += 1
    return token.text
  }

  literal(): Literal {
    const token = this.peek()
    this.at += 1
    if (token.kind === 'string' || token.kind === 'number') return token.value as Literal
    const word = token.kind === 'word' ? token.text.toUpperCase() : ''
    if (word === 'TRUE' || word === 'FALSE') return word === 'TRUE'
    if (word === 'NULL') return null
    throw unexpected(token)
  }

  condition(): Condition {
    const field = this.identifier()
    if (this.accept('=')) return { field, values: [this.literal()] }
    this.expect('IN')
    this.expect('(')
    const values = [this.literal()]
    while (this.accept(',')) values.push(this.literal())
    this.expect(')')
    return { field, values }
  }

  limit(): number {
    const token = this.peek()
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw unexpected(token)
    this.at += 1
    return Number(token.text)
  }

  end(): void {
    if (this.peek().kind !== 'end') throw unexpected(this.peek())
  }
}

export function parseSoql(soql: string): SoqlQuery {
  if (soql.length > MAX_SOQL_LENGTH) throw new SoqlError('SOQL statements cannot be longer than 100,000 characters.')
  const parser = new Parser(tokenize(soql))
  parser.expect('SELECT')
  const fields = [parser.identifier()]
  while (parser.accept(',')) fields.push(parser.identifier())
  parser.expect('FROM')
  const object = parser.identifier()
  const where: Condition[] = []
  if (parser.accept('WHERE')) {
    do where.push(parser.condition())
    while (parser.accept('AND'))
  }
  const limit = parser.accept('LIMIT') ? parser.limit() : undefined
  parser.end()
  return { fields, object, where, ...(limit === undefined ? {} : { limit }) }
}
