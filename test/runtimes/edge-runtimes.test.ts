/**
 * oauthkit on the edge runtimes, as their users deploy it: the core bundled (esbuild, as wrangler and
 * Next do) into one module that creates `new OAuth()` at module scope — without a secret, so the
 * fallback secret must be made on first use: workerd refuses random values at global scope — and
 * signs in against the dev provider on 127.0.0.1: login redirect, the provider's login, the callback's
 * code exchange, ID token check and a userinfo call, all inside the runtime.
 *
 * - workerd (Cloudflare Workers' runtime, the `workerd` package's binary) without `nodejs_compat`;
 * - Vercel's `edge-runtime` (Next.js's Edge runtime).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { EdgeRuntime, runServer } from 'edge-runtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CLIENTS, startDevProvider, type DevProvider } from '../../testing/dev-provider.js'
import { freePort } from '../support/ports.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'oauthkit-edge-'))
const workerd = join(root, 'node_modules', '.bin', 'workerd')

/** The app: one module, the registry made at module scope without a secret. */
function appSource(discoveryUrl: string, format: 'module' | 'service-worker'): string {
  return `
import { MemoryCookieJar, OAuth } from './src/index.ts'

const oauth = new OAuth().register('dev', {
  serverMetadataUrl: ${JSON.stringify(discoveryUrl)},
  clientId: ${JSON.stringify(DEV_CLIENTS.basic.client_id)},
  clientSecret: ${JSON.stringify(DEV_CLIENTS.basic.client_secret)},
  scope: 'openid email',
})

async function handle(request) {
  const url = new URL(request.url)
  const cookies = MemoryCookieJar.fromRequest(request)
  let response
  try {
    if (url.pathname === '/login') {
      response = await oauth.create('dev').authorizeRedirect({ cookies }, url.origin + '/callback')
    } else if (url.pathname === '/callback') {
      const token = await oauth.create('dev').authorizeAccessToken({ cookies, request })
      const info = await oauth.create('dev').userinfo(token)
      response = Response.json({ sub: token.userinfo.sub, email: info.email, runtime: typeof EdgeRuntime === 'string' ? 'edge-runtime' : navigator.userAgent })
    } else {
      response = new Response('not found', { status: 404 })
    }
  } catch (error) {
    response = new Response(String(error && error.code) + ': ' + String(error && error.message), { status: 500 })
  }
  cookies.applyTo(response.headers)
  return response
}
${format === 'module' ? 'export default { fetch: handle }' : "addEventListener('fetch', (event) => event.respondWith(handle(event.request)))"}
`
}

async function bundle(source: string, format: 'esm' | 'iife'): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    format,
    platform: 'browser',
    conditions: ['workerd', 'worker', 'edge-light', 'browser'],
    target: 'es2022',
    alias: { oauthkit: './src/index.ts' },
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/** A login as a browser does it: /login, the provider's login page, the callback with the cookies. */
async function signIn(
  appUrl: string,
  idp: DevProvider,
  loginPath = '/login',
): Promise<{ status: number; body: string }> {
  const login = await fetch(appUrl + loginPath, { redirect: 'manual' })
  expect(login.status, await login.clone().text()).toBe(302)
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const { url: callback } = await idp.authorize(login.headers.get('location')!)
  expect(callback.origin).toBe(appUrl)
  const done = await fetch(callback, { headers: { cookie }, redirect: 'manual' })
  return { status: done.status, body: await done.text() }
}

const ports = { workerd: 0, readme: 0, edge: 0 }
const children: ChildProcess[] = []
let idp: DevProvider

beforeAll(async () => {
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort()
  idp = await startDevProvider({
    redirectUris: [
      `http://127.0.0.1:${ports.workerd}/callback`,
      `http://127.0.0.1:${ports.edge}/callback`,
      `http://127.0.0.1:${ports.readme}/auth/corp/callback`,
    ],
  })
})

afterAll(async () => {
  for (const child of children) child.kill()
  await idp?.close()
  rmSync(work, { recursive: true, force: true })
})

/** Run `module` (an ES module) in workerd on `port`, with text `bindings`; resolves once it serves. */
async function startWorkerd(
  name: string,
  module: string,
  port: number,
  bindings: Record<string, string> = {},
): Promise<{ url: string; output: () => string }> {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'worker.js'), module)
  const env = Object.entries(bindings)
    .map(([key, value]) => `(name = ${JSON.stringify(key)}, text = ${JSON.stringify(value)})`)
    .join(', ')
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "app", worker = .app),
    # The dev provider is on 127.0.0.1: let the worker's fetch reach loopback.
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "app") ],
);
const app :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ ${env} ],
  globalOutbound = "net",
);
`,
  )
  let output = ''
  const child = spawn(workerd, ['serve', join(dir, 'config.capnp'), '--verbose'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const url = `http://127.0.0.1:${port}`
  // Ready when it answers; a worker that throws at global scope never starts serving.
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/ping`).then(
      () => true,
      () => false,
    )
    if (ready) break
    if (i > 100 || child.exitCode !== null) throw new Error(`workerd did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, output: () => output }
}

describe('workerd, without nodejs_compat', () => {
  it('starts with new OAuth() at module scope and signs in', async () => {
    const worker = await startWorkerd(
      'module-scope',
      await bundle(appSource(idp.discoveryUrl, 'module'), 'esm'),
      ports.workerd,
    )
    const { status, body } = await signIn(worker.url, idp)
    expect(status, `${body}\n${worker.output()}`).toBe(200)
    expect(JSON.parse(body)).toMatchObject({
      sub: 'alice',
      email: 'alice@example.test',
      runtime: 'Cloudflare-Workers',
    })
    expect(worker.output()).not.toMatch(/Disallowed operation/)
  }, 30_000)

  it("runs the README's Workers example (settings from env) and signs in", async () => {
    const source = readFileSync(join(root, 'examples/workers/worker.ts'), 'utf8')
    const worker = await startWorkerd('readme', await bundle(source, 'esm'), ports.readme, {
      OAUTH_SECRET: 'a-workers-secret-that-is-at-least-32-characters',
      OIDC_DISCOVERY_URL: idp.discoveryUrl,
      OIDC_CLIENT_ID: DEV_CLIENTS.basic.client_id,
      OIDC_CLIENT_SECRET: DEV_CLIENTS.basic.client_secret,
    })
    const { status, body } = await signIn(worker.url, idp, '/auth/corp/login')
    expect([status, body], worker.output()).toEqual([200, 'Signed in as alice@example.test'])
  }, 30_000)
})

describe("Vercel's edge-runtime", () => {
  it('evaluates new OAuth() at module scope and signs in', async () => {
    const runtime = new EdgeRuntime({
      initialCode: await bundle(appSource(idp.discoveryUrl, 'service-worker'), 'iife'),
    })
    const server = await runServer({ runtime, port: ports.edge, host: '127.0.0.1' })
    try {
      const { status, body } = await signIn(`http://127.0.0.1:${ports.edge}`, idp)
      expect(status, body).toBe(200)
      expect(JSON.parse(body)).toMatchObject({
        sub: 'alice',
        email: 'alice@example.test',
        runtime: 'edge-runtime',
      })
    } finally {
      await server.close()
    }
  }, 30_000)
})
