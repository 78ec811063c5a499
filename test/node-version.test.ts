// Every entry point run on a Node other than engines.node stops with one line that says how to fix it, instead of the
// native addon killing the process with a bare "Segmentation fault". Run against the built slug as Heroku keeps it
// (dist/src and dist/scripts/migrate.js beside package.json) and against the tsx tools.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { nodeVersionProblem } from '../src/check-node-version.js'

const ROOT = resolve(import.meta.dirname, '..')
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
const ENGINES_NODE: string = manifest.engines.node
const NEEDED_MAJOR = Number(/\d+/.exec(ENGINES_NODE)?.[0])
/** The machine's own Node, older than the one the project runs on. */
const OTHER_NODE = '/usr/bin/node'

function versionOf(node: string): string | undefined {
  const run = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' })
  return run.status === 0 ? run.stdout.trim() : undefined
}
const otherVersion = versionOf(OTHER_NODE)
const otherMajor = otherVersion === undefined ? undefined : Number(otherVersion.split('.')[0])
const noOtherNode = otherMajor === undefined || otherMajor === NEEDED_MAJOR
if (noOtherNode) {
  process.stdout.write(
    `\n  Wrong-Node tests SKIPPED: ${OTHER_NODE} is ${otherVersion ? `Node ${otherVersion}, the major engines.node asks for` : 'missing'}; no other Node major to run the entry points on.\n\n`,
  )
}

let slug: string
beforeAll(() => {
  // The slug: the build, package.json and the dependencies, without src/ or the TypeScript sources.
  slug = join(mkdtempSync(join(tmpdir(), 'flowcart-slug-')), 'app')
  const build = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(slug, 'dist')],
    { cwd: ROOT, encoding: 'utf8' },
  )
  expect(build.stdout + build.stderr).toBe('')
  cpSync(join(ROOT, 'package.json'), join(slug, 'package.json'))
  // Heroku's slug is the whole repository built: proto/ (the Pub/Sub API's) is there beside dist/.
  cpSync(join(ROOT, 'proto'), join(slug, 'proto'), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(slug, 'node_modules'))
}, 60_000)

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    // The machine's Node first on PATH, as in a shell that has not sourced tools/use-node-24.sh.
    env: { ...process.env, PATH: `${dirname(OTHER_NODE)}:${process.env.PATH}`, PORT: '0', ...env },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function expectOneLineRefusal({ status, stdout, stderr }: Run, fix: RegExp) {
  expect(stderr).not.toMatch(/Segmentation fault|at .*\(.*:\d+:\d+\)/)
  const lines = stderr.split('\n').filter((line) => line !== '')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toContain(`flowcart needs Node ${NEEDED_MAJOR} (package.json engines.node "${ENGINES_NODE}")`)
  expect(lines[0]).toContain(`but this is Node ${otherVersion}`)
  expect(lines[0]).toMatch(fix)
  expect(stdout).toBe('')
  expect(status).toBe(1)
}

const tsx = join(ROOT, 'node_modules/tsx/dist/cli.mjs')
const npm = join(dirname(OTHER_NODE), 'npm')
const LOCAL_FIX = /source tools\/use-node-24\.sh/

describe.skipIf(noOtherNode)(`on the machine's older Node (${OTHER_NODE})`, () => {
  it('the Procfile lines stop with one line and the command that fixes it, from the built slug', () => {
    const database = `sqlite:${join(slug, 'data', 'flowcart.db')}`
    for (const line of [['dist/src/server.js'], ['dist/scripts/migrate.js'], ['dist/scripts/import-catalog.js', '-']]) {
      expectOneLineRefusal(run(OTHER_NODE, line, slug, { DATABASE_URL: database }), LOCAL_FIX)
    }
    // npm start, npm run migrate, npm run catalog:import: the same, through npm.
    expectOneLineRefusal(run(npm, ['start', '--silent'], slug, { DATABASE_URL: database }), LOCAL_FIX)
    expectOneLineRefusal(run(npm, ['run', 'migrate', '--silent'], slug, { DATABASE_URL: database }), LOCAL_FIX)
    expectOneLineRefusal(
      run(npm, ['run', 'catalog:import', '--silent', '--', '-'], slug, { DATABASE_URL: database }),
      LOCAL_FIX,
    )
  })

  it('on a dyno, the line points at engines.node instead', () => {
    const result = run(OTHER_NODE, ['dist/src/server.js'], slug, { DYNO: 'web.1' })
    expectOneLineRefusal(result, /"engines": \{"node": "24\.x"\}.*deploy again/)
  })

  it('the tools run with tsx stop the same way, before anything loads the native addon', () => {
    const folder = mkdtempSync(join(tmpdir(), 'flowcart-tools-'))
    for (const tool of ['tools/demo.ts', 'tools/salesforce-keys.ts', 'tools/bench.ts', 'tools/soak.ts']) {
      expectOneLineRefusal(run(OTHER_NODE, [tsx, tool, '--root', folder], ROOT), LOCAL_FIX)
    }
    for (const script of ['demo', 'salesforce:keys']) {
      expectOneLineRefusal(run(npm, ['run', script, '--silent'], ROOT), LOCAL_FIX)
    }
  })
})

describe('on the Node engines.node names', () => {
  it('the built slug migrates and serves', async () => {
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${join(slug, 'data', 'flowcart.db')}` }
    const migrated = spawnSync(process.execPath, ['dist/scripts/migrate.js'], { cwd: slug, encoding: 'utf8', env })
    expect(migrated.stderr).toBe('')
    expect(migrated.stdout).toMatch(/database sqlite is up to date/)
    expect(migrated.status).toBe(0)

    const server = spawn(process.execPath, ['dist/src/server.js'], {
      cwd: slug,
      env: { ...env, PORT: '0', HOST: '127.0.0.1', API_PASSWORD: 'a-password-for-this-run' },
    })
    let output = ''
    const listening = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        output += chunk
        const address = /Server listening at (http:\/\/[\d.:]+)/.exec(output)?.[1]
        if (address) resolve(address)
      })
      server.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
    })
    expect((await fetch(`${listening}/healthz`)).status).toBe(200)
    server.kill('SIGTERM')
  })

  it('the built slug finds the Pub/Sub API proto', () => {
    const loaded = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./dist/src/pubsub/pubsub-client.js'); m.createPubSubClient('localhost:1').close(); console.log(m.PROTO_PATH)",
      ],
      slug,
    )
    expect(loaded.stderr).toBe('')
    expect(loaded.stdout.trim()).toBe(join(slug, 'proto', 'pubsub_api.proto'))
  })

  it('reads the major from package.json when it runs, not from a copy', () => {
    const other = join(mkdtempSync(join(tmpdir(), 'flowcart-slug-')), 'app')
    cpSync(join(slug, 'dist'), join(other, 'dist'), { recursive: true })
    writeFileSync(join(other, 'package.json'), JSON.stringify({ ...manifest, engines: { node: '22.x' } }))
    const result = spawnSync(process.execPath, ['dist/scripts/migrate.js'], { cwd: other, encoding: 'utf8' })
    expect(result.stderr).toMatch(/^flowcart needs Node 22 \(package.json engines.node "22.x"\) but this is Node /)
    expect(result.stderr).toContain(`this is Node ${process.versions.node} `)
    expect(result.status).toBe(1)
  })

  it('takes "or later" ranges as such', () => {
    expect(nodeVersionProblem('24.1.0', '>=22', false)).toBeUndefined()
    expect(nodeVersionProblem('20.20.2', '>=22', false)).toMatch(/^flowcart needs Node 22 or later/)
    expect(nodeVersionProblem('24.21.0', '24.x', false)).toBeUndefined()
  })
})
