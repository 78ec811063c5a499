// Heroku runs each dyno in a memory cgroup (a Standard-1X has 512 MB: /sys/fs/cgroup/memory/memory.limit_in_bytes
// reads 536870912 there, https://help.heroku.com/Q386NUGG). Node sizes V8's heap from that limit, so flowcart's
// memory is measured the same way: its servers start inside a 512 MB cgroup when this machine allows one (root,
// cgroup v1 or v2 with the memory controller). Elsewhere V8 sizes itself from the whole machine and RSS reads higher.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { join } from 'node:path'

export const DYNO_MEMORY_BYTES = 512 * 1024 * 1024

export interface DynoMemory {
  /** Command prefix that starts a process inside the cgroup; empty when there is none. */
  prefix: string[]
  description: string
  remove(): void
}

function createCgroup(name: string): { directory: string; procs: string } | undefined {
  const v1 = '/sys/fs/cgroup/memory'
  if (existsSync(join(v1, 'memory.limit_in_bytes'))) {
    const directory = join(v1, name)
    mkdirSync(directory, { recursive: true })
    writeFileSync(join(directory, 'memory.limit_in_bytes'), String(DYNO_MEMORY_BYTES))
    return { directory, procs: join(directory, 'cgroup.procs') }
  }
  const v2 = '/sys/fs/cgroup'
  if (readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8').includes('memory')) {
    const directory = join(v2, name)
    mkdirSync(directory, { recursive: true })
    writeFileSync(join(directory, 'memory.max'), String(DYNO_MEMORY_BYTES))
    return { directory, procs: join(directory, 'cgroup.procs') }
  }
  return undefined
}

export function dynoMemory(): DynoMemory {
  const machine = `${Math.round(totalmem() / 2 ** 30)} GB`
  // BENCH_MEMORY_CGROUP=off measures as on a machine without a limit, to compare.
  if (process.env.BENCH_MEMORY_CGROUP === 'off') return uncapped(machine, 'BENCH_MEMORY_CGROUP=off')
  try {
    const cgroup = createCgroup('flowcart-bench')
    if (cgroup) {
      return {
        // The shell joins the cgroup, then becomes the server: V8 reads the limit when it starts.
        prefix: ['sh', '-c', 'echo $$ > "$0" && exec "$@"', cgroup.procs],
        description: `flowcart's servers run in a ${DYNO_MEMORY_BYTES / 2 ** 20} MB memory cgroup, as on a Standard-1X dyno`,
        remove: () => rmdirSync(cgroup.directory),
      }
    }
  } catch {
    // Not root, or no writable cgroup: measured without one, and said so.
  }
  return uncapped(machine, 'needs root and a writable cgroup')
}

function uncapped(machine: string, why: string): DynoMemory {
  return {
    prefix: [],
    description: `flowcart's servers run WITHOUT a memory cgroup (${why}): V8 sizes its heap from this machine's ${machine}, so RSS reads higher than on a dyno`,
    remove: () => {},
  }
}
