/**
 * A throwaway PostgreSQL server: Debian's `postgresql` binaries (`initdb`, `pg_ctl` on PATH, else
 * /usr/lib/postgresql/<version>/bin), a temp data dir, 127.0.0.1 on a free port, fsync off. As root
 * (CI containers) the server runs as the `postgres` user the package creates, since PostgreSQL
 * refuses to run as root.
 */
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.js'

export interface PostgresServer {
  /** `postgres://oauthkit@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string
  stop(): void
}

/** The directory holding initdb and pg_ctl. */
function binaries(): string {
  const onPath = ['/usr/local/bin', '/usr/bin', ...(process.env.PATH ?? '').split(':')].find(
    (dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  )
  if (onPath) return onPath
  const debian = '/usr/lib/postgresql'
  const versions = existsSync(debian)
    ? readdirSync(debian).sort((a, b) => Number(b) - Number(a))
    : []
  const found = versions
    .map((v) => join(debian, v, 'bin'))
    .find((d) => existsSync(join(d, 'initdb')))
  if (!found)
    throw new Error('PostgreSQL binaries not found: run scripts/system-deps.sh (Debian postgresql)')
  return found
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binaries()
  const dir = mkdtempSync(join(tmpdir(), 'oauthkit-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args]
    execFileSync(cmd, argv, { stdio: 'pipe', timeout: 30_000 })
  }
  if (asRoot) {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }))
    chownSync(dir, id('-u'), id('-g'))
  }
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'oauthkit', '-A', 'trust', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '20', 'start'])
  return {
    url: `postgres://oauthkit@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
