/**
 * `oauthkit/testing` as a user installs it: the packed tarball in a fresh project that has only one of
 * the test kit's optional peers. The emulations must load with msw alone, the dev provider with
 * oidc-provider alone (nothing is imported or run at import time); with msw alone a preset's emulated
 * login runs to the normalised profile.
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
