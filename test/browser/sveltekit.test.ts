/**
 * The SvelteKit example (examples/sveltekit) built for production (`vite build`, adapter-node) and run
 * with `node build`, driven by chromium against the dev provider: sign in, reload, sign out, two tabs,
 * a token the provider stopped accepting, and a tampered transaction cookie.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { unsealData } from 'iron-session'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest'
import { startDevProvider, type DevProvider } from '../../testing/index.js'
import { useBrowser } from '../support/browser.js'
import { freePort } from '../support/ports.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = join(root, 'examples/sveltekit')
const client = {
  client_id: 'sveltekit-example',
  client_secret: 'sveltekit-example-secret-0123456789-0123456789',
}
const SESSION_SECRET = 'sveltekit-example-sessions-0123456789-0123456789'

const { newPage } = useBrowser()
let provider: DevProvider
let app: ChildProcess | undefined
let base: string
let buildSeconds = 0

/** Environment for the child processes: none of vitest's (VITEST, NODE_ENV=test) leaks into the build. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV'),
  )
  return { ...env, NODE_ENV: 'production', ...extra }
}

beforeAll(async () => {
  // The example depends on "oauthkit": "file:../.."; `npm install` there makes this link. Through it the
  // build imports oauthkit and oauthkit/sveltekit from the package's exports: dist/, built by global-setup.
  const link = join(dir, 'node_modules/oauthkit')
  if (!existsSync(link) && !lstatSync(link, { throwIfNoEntry: false })) {
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    symlinkSync('../../..', link, 'dir')
  }
  const started = Date.now()
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build'],
    { cwd: dir, env: childEnv(), maxBuffer: 64 * 1024 * 1024 },
  )
  buildSeconds = (Date.now() - started) / 1000

  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  provider = await startDevProvider({
    // oidc-provider binds tokens without offline_access to the browser session's latest grant: a second
    // login in the same browser (the two-tab test) revokes the first one's tokens, and its userinfo
    // request is refused. The browser tests are about our transactions and sessions, so keep both.
    configuration: { expiresWithSession: async () => false },
    clients: [
      {
        ...client,
        redirect_uris: [`${base}/auth/corp/callback`],
        post_logout_redirect_uris: [`${base}/`],
      },
    ],
  })
  app = spawn(process.execPath, ['build'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: childEnv({
      HOST: '127.0.0.1',
      PORT: String(port),
      ORIGIN: base,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: client.client_id,
      OIDC_CLIENT_SECRET: client.client_secret,
      OAUTH_SECRET: 'sveltekit-example-transactions-0123456789-0123456789',
      SESSION_SECRET,
    }),
  })
  await new Promise<void>((resolve, reject) => {
    app!.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('Listening on') && resolve())
    app!.once('exit', (code) => reject(new Error(`node build exited with ${code}`)))
  })
}, 180_000)

afterAll(async () => {
  console.log(`examples/sveltekit: vite build took ${buildSeconds.toFixed(1)} s`)
  if (app && app.exitCode === null) {
    app.kill()
    await once(app, 'exit')
  }
  await provider?.close()
})

// Browser tests share a 2-core machine with builds of other examples: give them room.
const SLOW = 60_000

/** On failure, print where each page went (the screenshots show only where it ended). */
function traceNavigations(...pages: Page[]): void {
  const trail: string[] = []
  const started = Date.now()
  pages.forEach((page, i) =>
    page.on(
      'response',
      (r) =>
        void (
          r.request().isNavigationRequest() &&
          trail.push(`page ${i} +${Date.now() - started} ms: ${r.status()} ${r.url()}`)
        ),
    ),
  )
  onTestFailed(() => console.log(`navigations:\n${trail.join('\n')}`))
}

/** From the app's home page: click "Sign in", and wait for the provider's login form. */
async function startLogin(page: Page): Promise<void> {
  await page.goto(`${base}/`)
  await page.click('#sign-in')
  await page.waitForURL((url) => url.origin === provider.issuer)
  await page.waitForSelector('#login')
}

/** On the provider's login page: sign in as alice. */
async function logIn(page: Page): Promise<void> {
  await page.fill('#login', 'alice@example.test')
  await page.fill('#password', 'pw')
  await page.click('#sign-in')
}

it(
  'signs in, stays signed in across a reload, and signs out at the provider too',
  async () => {
    const page = await newPage()
    traceNavigations(page)
    await startLogin(page)
    await logIn(page)
    await page.waitForURL(`${base}/profile`)
    expect(await page.textContent('#email')).toBe('alice@example.test')
    // The userinfo endpoint, called with the access token kept in the app's session.
    expect(JSON.parse((await page.textContent('#userinfo')) ?? '')).toMatchObject({
      sub: 'alice',
      email: 'alice@example.test',
    })
    const cookies = await page.context().cookies(base)
    const session = cookies.find((c) => c.name === 'app_session')
    expect(session?.httpOnly).toBe(true)
    expect(session!.value.length).toBeLessThan(3000) // tokens and claims, sealed: well under a cookie's 4 KB
    expect(cookies.filter((c) => c.name.startsWith('oauthkit.tx.'))).toEqual([])

    await page.reload()
    expect(await page.textContent('#email')).toBe('alice@example.test')

    await page.click('#sign-out')
    await page.waitForURL((url) => url.origin === provider.issuer)
    await page.click('#logout-yes')
    await page.waitForURL(`${base}/`)
    await page.waitForSelector('#sign-in')
    await page.goto(`${base}/profile`)
    await page.waitForURL(`${base}/`)
    expect(await page.isVisible('#sign-in')).toBe(true)
  },
  SLOW,
)

it(
  'finishes two logins started at the same time in two tabs',
  async () => {
    const first = await newPage()
    const second = await first.context().newPage()
    traceNavigations(first, second)
    await Promise.all([startLogin(first), startLogin(second)])
    const inFlight = (await first.context().cookies(base)).filter((c) =>
      c.name.startsWith('oauthkit.tx.'),
    )
    expect(inFlight).toHaveLength(2)
    await Promise.all([logIn(first), logIn(second)])
    // Both callbacks succeed. The dev provider (oidc-provider) binds tokens to its session's latest grant,
    // so the later login invalidates the earlier token: a profile page still holding it signs in again,
    // silently, and lands back on /profile.
    await Promise.all([first.waitForURL(`${base}/profile`), second.waitForURL(`${base}/profile`)])
    for (const page of [first, second]) {
      expect(await page.textContent('#email')).toBe('alice@example.test')
      await page.reload()
      expect(await page.textContent('#email')).toBe('alice@example.test')
    }
  },
  SLOW,
)

it(
  "signs in again, without a prompt, when the provider no longer accepts the session's token",
  async () => {
    const page = await newPage()
    traceNavigations(page)
    await startLogin(page)
    await logIn(page)
    await page.waitForURL(`${base}/profile`)
    // Revoke the session's access token at the provider (RFC 7009), as a newer login in another tab does.
    const sealed = (await page.context().cookies(base)).find((c) => c.name === 'app_session')!.value
    const { token } = await unsealData<{ token: { access_token: string } }>(
      decodeURIComponent(sealed),
      { password: SESSION_SECRET },
    )
    const revoked = await fetch(`${provider.issuer}/token/revocation`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}` },
      body: new URLSearchParams({ token: token.access_token }),
    })
    expect(revoked.status).toBe(200)
    const relogin = page.waitForRequest((r) => r.url().startsWith(`${base}/auth/corp/callback`))
    await page.reload()
    await relogin
    await page.waitForURL(`${base}/profile`)
    expect(await page.textContent('#email')).toBe('alice@example.test')
  },
  SLOW,
)

it(
  'ends a login whose transaction cookie was tampered with on the error page',
  async () => {
    const page = await newPage()
    traceNavigations(page)
    await startLogin(page)
    const context = page.context()
    const [tx] = (await context.cookies(base)).filter((c) => c.name.startsWith('oauthkit.tx.'))
    expect(tx).toBeDefined()
    // The seal is `<created>.t1*<password id>*<iv>*<ciphertext>`: change the ciphertext's first character.
    const parts = tx!.value.split('*')
    expect(parts).toHaveLength(4)
    parts[3] = (parts[3]!.startsWith('A') ? 'B' : 'A') + parts[3]!.slice(1)
    const value = parts.join('*')
    await context.addCookies([{ ...tx!, value }])
    await logIn(page)
    await page.waitForURL(`${base}/auth/error?code=transaction_invalid`)
    expect(await page.textContent('#error-code')).toBe('transaction_invalid')
  },
  SLOW,
)
