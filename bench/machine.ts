/**
 * What the benchmarks ran on: CPU, cores, memory, Node, date, library versions, load.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  platform: string
  date: string
  versions: Record<string, string>
  /** 1-minute load average when the run started. */
  loadAtStart: number
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(
      readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8'),
    ) as { version?: string }
    return manifest.version ?? '?'
  } catch {
    return 'not installed'
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1]) return match[1].trim()
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown'
}

export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} (${os.arch()})`,
    date: new Date().toISOString(),
    versions: Object.fromEntries(
      ['ky', 'oauth4webapi', 'openid-client', 'jose', 'iron-session', 'oidc-provider'].map(
        (name) => [name, packageVersion(name)],
      ),
    ),
    loadAtStart: os.loadavg()[0] ?? Number.NaN,
  }
}

export function loadAverage(): number {
  return os.loadavg()[0] ?? Number.NaN
}
