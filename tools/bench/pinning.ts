// Two cores: the service on one, the load generator (autocannon or pgbench) on the other, so that each ratio
// measures the service and not the load generator competing with it. taskset is util-linux's.
import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

export interface Pinning {
  /** Prefix for the command of the process under test, e.g. ['taskset', '-c', '1']; empty when not pinned. */
  server: string[]
  /** Prefix for the load generator. */
  load: string[]
  /** One line for the report. */
  description: string
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function choosePinning(): Pinning {
  const cores = availableParallelism()
  if (cores < 2 || !hasTaskset()) {
    return {
      server: [],
      load: [],
      description: `NOT pinned (${cores} core(s), taskset ${hasTaskset() ? 'present' : 'missing'}): ratios include the load generator's own cost`,
    }
  }
  return {
    server: ['taskset', '-c', '1'],
    load: ['taskset', '-c', '0'],
    description:
      'pinned with taskset: each server on CPU 1, the load generator (autocannon, pgbench) on CPU 0; PostgreSQL itself is not pinned',
  }
}

/**
 * Moves this process (every thread) onto the load generator's core, for rows whose load is made in process (the
 * emulator and the Pub/Sub stand-in); returns what puts its former affinity back.
 */
export function pinThisProcessToLoadCore(pinning: Pinning): () => void {
  const cores = pinning.load.at(-1)
  if (pinning.load.length === 0 || cores === undefined) return () => {}
  const pid = String(process.pid)
  const former = execFileSync('taskset', ['-p', pid], { encoding: 'utf8' }).trim().split(': ').at(-1) ?? ''
  execFileSync('taskset', ['-a', '-p', '-c', cores, pid], { stdio: 'ignore' })
  return () => execFileSync('taskset', ['-a', '-p', former, pid], { stdio: 'ignore' })
}
