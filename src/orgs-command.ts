// npm run orgs -- <add | list | rotate | disable | enable>: the org registry from the command line (scripts/orgs.ts
// checks the Node version, then runs this). It runs from the pruned slug, so a one-off dyno can use it:
//   heroku run -x -- npm run -s orgs -- add --org-id <org Id> --name <name>
// (heroku/cli docs/run.md: -x to pass the exit code on). A command: what it prints is its interface, so it writes
// to stdout (the outcome; with --json one JSON value) and stderr (a problem, in one line), not to a logger.
// Exit codes: 0 done, 1 refused or failed (the line says why), 2 not a command it knows (the usage line follows).
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { runCommand, withDatabase } from './command-line.js'
import type { Database } from './db/connect.js'
import { listJson, listText, loginJson, loginText, statusText } from './orgs/command-output.js'
import { OrgSettingInvalid } from './orgs/errors.js'
import type { OrgSignIn } from './orgs/repository.js'
import { addOrg, listOrgs, rotateOrgPassword, setOrgStatus } from './orgs/service.js'

const RUN = 'npm run orgs --'
const USAGE: Record<string, string> = {
  add:
    `${RUN} add --org-id <15 or 18-character org Id> --name <name> ` +
    '[--login-url <url> --username <integration user> --consumer-key <key>] ' +
    '[--applink-authorization <developer name>] [--json]',
  list: `${RUN} list [--json]`,
  rotate: `${RUN} rotate <org Id> [--json]`,
  disable: `${RUN} disable <org Id>`,
  enable: `${RUN} enable <org Id>`,
}
const ALL_USAGE = Object.values(USAGE)
  .map((line, index) => `${index === 0 ? 'usage: ' : '       '}${line}`)
  .join('\n')

type Options = NonNullable<ParseArgsConfig['options']>
const json: Options = { json: { type: 'boolean' } }
const OPTIONS: Record<string, { options: Options; positionals: number }> = {
  add: {
    options: {
      'org-id': { type: 'string' },
      name: { type: 'string' },
      'login-url': { type: 'string' },
      username: { type: 'string' },
      'consumer-key': { type: 'string' },
      'applink-authorization': { type: 'string' },
      ...json,
    },
    positionals: 0,
  },
  list: { options: json, positionals: 0 },
  rotate: { options: json, positionals: 1 },
  disable: { options: {}, positionals: 1 },
  enable: { options: {}, positionals: 1 },
}

/** A command line that is not one of the usages: exit 2, with the reason and the usage line. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message)
  }
}

interface Parsed {
  command: string
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

function parse(args: string[]): Parsed {
  const [command = '', ...rest] = args
  const spec = OPTIONS[command]
  if (!spec) throw new UsageError(command ? `no command ${JSON.stringify(command)}` : 'name a command', ALL_USAGE)
  const usage = `usage: ${USAGE[command]}`
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: rest, options: spec.options, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs's first sentence ("Unknown option '--bogus'"); the rest is advice about positionals.
    throw new UsageError((error as Error).message.split(/\.(?: |$)/)[0] ?? 'unknown option', usage)
  }
  if (parsed.positionals.length !== spec.positionals) {
    throw new UsageError(spec.positionals === 0 ? 'this command takes no argument' : 'name one org Id', usage)
  }
  if (command === 'add') {
    const missing = ['org-id', 'name'].filter((name) => parsed.values[name] === undefined)
    if (missing.length > 0) throw new UsageError(`add needs ${missing.map((name) => `--${name}`).join(' and ')}`, usage)
  }
  // No option is `multiple`, so each value is one string or boolean.
  return { command, values: parsed.values as Parsed['values'], positionals: parsed.positionals }
}

const SIGN_IN = ['login-url', 'username', 'consumer-key'] as const

/** The three sign-in settings together, or none of them. */
function signInOf(values: Parsed['values']): OrgSignIn | undefined {
  const given = SIGN_IN.filter((name) => values[name] !== undefined)
  if (given.length === 0) return undefined
  if (given.length < SIGN_IN.length) {
    const missing = SIGN_IN.filter((name) => values[name] === undefined).map((name) => `--${name}`)
    throw new OrgSettingInvalid(
      `the sign-in takes --login-url, --username and --consumer-key together or none of them; also give ${missing.join(' and ')}.`,
    )
  }
  const [loginUrl, username, consumerKey] = SIGN_IN.map((name) => String(values[name]))
  return { loginUrl: loginUrl ?? '', username: username ?? '', consumerKey: consumerKey ?? '' }
}

async function run({ command, values, positionals }: Parsed, db: Database): Promise<string> {
  const asJson = values.json === true
  const [orgId = ''] = positionals
  switch (command) {
    case 'add': {
      const login = await addOrg(db, {
        orgId: String(values['org-id']),
        name: String(values.name),
        signIn: signInOf(values),
        appLinkAuthorization: values['applink-authorization'] as string | undefined,
      })
      return asJson ? loginJson(login) : loginText(login, 'added')
    }
    case 'list': {
      const orgs = await listOrgs(db.kysely)
      return asJson ? listJson(orgs) : listText(orgs)
    }
    case 'rotate': {
      const login = await rotateOrgPassword(db, orgId)
      return asJson ? loginJson(login) : loginText(login, 'rotated')
    }
    default: {
      const { org, changed } = await setOrgStatus(db, orgId, command === 'disable' ? 'disabled' : 'active')
      return statusText(org, changed)
    }
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length === 1 && ['help', '--help', '-h'].includes(args[0] ?? '')) {
    process.stdout.write(`${ALL_USAGE}\n`)
    return 0
  }
  let parsed: Parsed
  try {
    parsed = parse(args)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`flowcart orgs: ${error.message}.\n${error.usage}\n`)
    return 2
  }
  // Settings are checked before the database is opened: a refused command line leaves no trace.
  if (parsed.command === 'add') signInOf(parsed.values)
  const output = await withDatabase((db) => run(parsed, db))
  process.stdout.write(`${output}\n`)
  return 0
}

// What the registry refuses (a malformed Id, an org registered already) is told like start-up's own problems.
await runCommand(main, (problem) => `flowcart orgs: ${problem}\n`)
