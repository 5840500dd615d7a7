/**
 * `oauthkit/testing` as a user installs it: the packed tarball in a fresh project that has only one of
 * the test kit's optional peers. The emulations must load with msw alone, the dev provider with
 * oidc-provider alone (nothing is imported or run at import time); with msw alone a preset's emulated
 * login runs to the normalised profile. The store modules (`oauthkit/stores/*`) import with none of
 * their drivers installed and fail with a typed error only when used without a client.
 *
 * Installs come from npm's cache when it has the packages (it does after `npm ci`), else the registry.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'oauthkit-pack-'))
let tarball = ''

/** The version range this repository tests `name` with, so the temp project gets the same major. */
function devRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>
  }
  return pkg.devDependencies[name]!
}

/** A project with oauthkit's tarball and `peers` installed, and nothing else. */
function project(name: string, peers: string[]): string {
  const dir = join(work, name)
  execFileSync('mkdir', ['-p', dir])
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }))
  const specs = peers.map((peer) => `${peer}@${devRange(peer)}`)
  execFileSync(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      tarball,
      ...specs,
    ],
    { cwd: dir, stdio: 'pipe' },
  )
  return dir
}

/** Run an ES module in `dir`; returns its stdout, or throws with its stderr. */
function run(dir: string, source: string): string {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}.mjs`)
  writeFileSync(file, source)
  return execFileSync(process.execPath, [file], {
    cwd: dir,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 30_000,
  })
}

function failure(dir: string, source: string): string {
  try {
    run(dir, source)
  } catch (error) {
    return String((error as { stderr?: unknown }).stderr)
  }
  throw new Error('expected the script to fail')
}

beforeAll(() => {
  // dist/ was built by the global setup; pack exactly what would be published.
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  })
  tarball = join(work, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename)
}, 60_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('oauthkit/testing from the packed tarball', () => {
  it('loads the emulations with msw alone, and says which peer startDevProvider needs', () => {
    const dir = project('with-msw', ['msw'])
    const out = run(
      dir,
      `import { emulateGitHub, createEmulation, completeLogin } from 'oauthkit/testing'
       const github = await emulateGitHub()
       console.log(typeof createEmulation, typeof completeLogin, Array.isArray(github.handlers) && github.handlers.length > 0)`,
    )
    expect(out.trim()).toBe('function function true')
    const missing = failure(
      dir,
      `import { startDevProvider } from 'oauthkit/testing'\nawait startDevProvider()`,
    )
    expect(missing).toContain('startDevProvider needs oidc-provider')
    // A whole login against an emulated provider, with msw alone: what a user's test suite does.
    const login = run(
      dir,
      `import { setupServer } from 'msw/node'
import { OAuth } from 'oauthkit'
import { github } from 'oauthkit/providers'
import { completeLogin, emulateGitHub } from 'oauthkit/testing'

const emulation = await emulateGitHub({ users: [{ id: '1', login: 'ada', name: 'Ada Lovelace', email: 'ada@example.test', email_verified: true }] })
const server = setupServer(...emulation.handlers)
server.listen({ onUnhandledRequest: 'error' })
const oauth = new OAuth({ secret: 'test-secret-at-least-32-characters-long' }).register('github', github({ clientId: 'test-client', clientSecret: 'test-secret' }))
const token = await completeLogin(oauth.create('github'), emulation, { user: 'ada' })
const { sub, name, email } = await oauth.create('github').profile(token)
console.log(JSON.stringify({ sub, name, email }))
server.close()
`,
    )
    expect(JSON.parse(login)).toEqual({ sub: '1', name: 'Ada Lovelace', email: 'ada@example.test' })
  }, 120_000)

  it('runs the dev provider with oidc-provider alone, through oauthkit/testing/dev-provider', () => {
    const dir = project('with-oidc-provider', ['oidc-provider'])
    const out = run(
      dir,
      `import { startDevProvider } from 'oauthkit/testing/dev-provider'
       const dev = await startDevProvider()
       try {
         const res = await fetch(dev.issuer + '/.well-known/openid-configuration')
         console.log(res.status, (await res.json()).issuer === dev.issuer)
       } finally {
         await dev.close()
       }`,
    )
    expect(out.trim()).toBe('200 true')
    // The whole kit needs msw for its emulations: that is why the dev provider has its own entry point.
    expect(failure(dir, `import 'oauthkit/testing'`)).toMatch(/Cannot find (package|module) 'msw'/)
  }, 120_000)
})

describe('oauthkit/stores/* from the packed tarball, without their drivers', () => {
  it('imports sqlite, postgres and redis with no driver installed; each fails typed, and only when used without a client', () => {
    const dir = project('without-drivers', [])
    for (const driver of ['better-sqlite3', 'pg', 'ioredis'])
      expect(failure(dir, `await import('${driver}')`)).toMatch(/Cannot find (package|module)/)
    const out = run(
      dir,
      `import { isOAuthKitError, MemoryTokenStore, OAuth } from 'oauthkit'
import { SqliteTokenStore } from 'oauthkit/stores/sqlite'
import { PostgresTokenStore } from 'oauthkit/stores/postgres'
import { RedisReplayGuard, RedisTokenStore, redisLock } from 'oauthkit/stores/redis'

const uses = {
  sqlite: () => new SqliteTokenStore(),
  postgres: () => new PostgresTokenStore(),
  redis: () => new RedisTokenStore(),
  lock: () => redisLock(),
  guard: () => new RedisReplayGuard(),
}
const out = {}
for (const [name, use] of Object.entries(uses)) {
  try {
    use()
    out[name] = 'no error'
  } catch (error) {
    out[name] = isOAuthKitError(error) ? error.code + ': ' + error.message : 'untyped: ' + error
  }
}
// The core does not need any driver: a registry with the memory store works as it is.
out.core = typeof new OAuth({ store: new MemoryTokenStore(), secret: 'x'.repeat(32) }).tokens.get
console.log(JSON.stringify(out))
`,
    )
    expect(JSON.parse(out)).toEqual({
      sqlite:
        "config_invalid: SqliteTokenStore: no better-sqlite3 client given (one with exec, prepare): install better-sqlite3, an optional peer of oauthkit, and pass new Database('tokens.db')",
      postgres:
        'config_invalid: PostgresTokenStore: no pg client given (one with query): install pg, an optional peer of oauthkit, and pass new pg.Pool({ connectionString })',
      redis:
        'config_invalid: RedisTokenStore: no ioredis client given (one with hget, hset, hdel, del): install ioredis, an optional peer of oauthkit, and pass new Redis(url)',
      lock: 'config_invalid: redisLock: no ioredis client given (one with eval): install ioredis, an optional peer of oauthkit, and pass new Redis(url)',
      guard:
        'config_invalid: RedisReplayGuard: no ioredis client given (one with eval): install ioredis, an optional peer of oauthkit, and pass new Redis(url)',
      core: 'function',
    })
  }, 120_000)
})
