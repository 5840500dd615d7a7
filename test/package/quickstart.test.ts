/**
 * The README's user quick start, as a user runs it: the packed tarball installed into a fresh project
 * with only the peers the quick start names (express, oidc-provider for the dev provider), the README's
 * block saved as server.mjs and run with node, then a real HTTP login through it — the app's login
 * route, the dev provider's login page, the callback, the signed-in page — driven with fetch, cookies
 * kept per host as a browser keeps them. (A project with only msw signs in against an emulation in
 * testing-peers.test.ts.)
 *
 * Installs come from npm's cache when it has the packages (it does after `npm ci`), else the registry.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../support/ports.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'oauthkit-quickstart-'))
let tarball = ''
const children: ChildProcess[] = []

function devRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>
  }
  return pkg.devDependencies[name]!
}

/** A project with oauthkit's tarball and `peers` installed, and nothing else. */
function project(name: string, peers: string[]): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
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

/** The README's TypeScript block that contains `needle`. */
function readmeBlock(needle: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
  const found = blocks.filter((b) => b.includes(needle))
  expect(found, `README blocks containing ${needle}`).toHaveLength(1)
  return found[0]!
}

/** A browser, as far as a login needs one: redirects followed, cookies kept per host, the dev provider's login form filled in. */
class Browser {
  readonly jars = new Map<string, Map<string, string>>()

  async open(
    start: string,
    credentials = { login: 'alice@example.test', password: 'pw' },
  ): Promise<{ status: number; url: URL; html: string }> {
    let url = new URL(start)
    let body: URLSearchParams | undefined
    for (let hops = 0; hops < 20; hops++) {
      const jar = this.jars.get(url.host) ?? new Map<string, string>()
      this.jars.set(url.host, jar)
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
      const response = await fetch(url, {
        method: body ? 'POST' : 'GET',
        body,
        redirect: 'manual',
        headers: cookie ? { cookie } : {},
      })
      for (const header of response.headers.getSetCookie()) {
        const pair = header.split(';')[0]!
        const name = pair.slice(0, pair.indexOf('='))
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(header)) jar.delete(name)
        else jar.set(name, pair.slice(pair.indexOf('=') + 1))
      }
      body = undefined
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url)
        continue
      }
      const html = await response.text()
      const form = /<form id="login-form" method="post" action="([^"]+)"/.exec(html)
      if (!form) return { status: response.status, url, html }
      url = new URL(form[1]!, url)
      body = new URLSearchParams(credentials)
    }
    throw new Error(`too many redirects from ${start}`)
  }
}

beforeAll(() => {
  // dist/ was built by the global setup; pack exactly what would be published.
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  })
  tarball = join(work, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename)
}, 60_000)

afterAll(() => {
  for (const child of children) child.kill()
  rmSync(work, { recursive: true, force: true })
})

describe("the README's quick start from the packed tarball", () => {
  it('signs a user in with express and oidc-provider alone, and keeps each visitor apart', async () => {
    const dir = project('quickstart-express', ['express', 'oidc-provider'])
    writeFileSync(join(dir, 'server.mjs'), readmeBlock("from 'oauthkit/testing/dev-provider'"))
    const baseUrl = `http://127.0.0.1:${await freePort()}`
    const child = spawn(process.execPath, ['server.mjs'], {
      cwd: dir,
      env: { ...process.env, BASE_URL: baseUrl, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)))
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on(
        'data',
        (chunk: Buffer) => (output += String(chunk)).includes('Listening') && resolve(),
      )
      child.on('exit', (code) => reject(new Error(`server.mjs exited with ${code}:\n${output}`)))
    })

    const alice = new Browser()
    expect((await alice.open(`${baseUrl}/`)).html).toContain(
      '<a href="/auth/dev/login">Sign in</a>',
    )
    const signedIn = await alice.open(`${baseUrl}/auth/dev/login`)
    expect([signedIn.status, signedIn.url.href, signedIn.html], output).toEqual([
      200,
      `${baseUrl}/`,
      'Signed in as alice@example.test',
    ])
    expect((await alice.open(`${baseUrl}/`)).html).toBe('Signed in as alice@example.test')
    // Tokens are keyed by the app's user id: another visitor is not signed in as the last user who was.
    expect((await new Browser().open(`${baseUrl}/`)).html).toContain('Sign in')
    expect(output).not.toMatch(/warn|error/i)
  }, 180_000)
})
