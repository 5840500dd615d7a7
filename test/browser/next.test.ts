/**
 * examples/next built for production (`next build`, Next.js 16) and served by `next start`, driven by
 * chromium against the dev provider: sign in, stay signed in, sign out, two tabs, a tampered cookie.
 * The login/callback route runs on the Edge runtime (checked in the build's middleware manifest).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { unsealData } from 'iron-session'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { useBrowser } from '../support/browser.js'
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js'
import { freePort } from '../support/ports.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const exampleDir = `${root}examples/next`
const nextBin = `${root}node_modules/next/dist/bin/next`
const CLIENT = {
  client_id: 'next-example',
  client_secret: 'next-example-secret-0123456789-0123456789',
}

let provider: TestProvider
let server: ChildProcess | undefined
let base: string
const { newPage } = useBrowser()

/** Run `next <args>` in the example; resolves with its output once `ready` matches (or it exits 0). */
function next(
  args: string[],
  env: Record<string, string>,
  ready?: RegExp,
): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, [nextBin, ...args], {
    cwd: exampleDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      if (ready?.test(output)) resolve({ child, output })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) =>
      code === 0 && !ready
        ? resolve({ child, output })
        : reject(new Error(`next ${args[0]} exited with ${code}:\n${output.slice(-4000)}`)),
    )
  })
}

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  provider = await startTestProvider({
    // oidc-provider binds tokens without offline_access to the browser session's latest grant: a second
    // login in the same browser (the two-tab test) revokes the first one's tokens, and its userinfo
    // request is refused. The browser tests are about our transactions and sessions, so keep both.
    configuration: { expiresWithSession: async () => false },
    clients: [
      {
        ...CLIENT,
        redirect_uris: [`${base}/auth/dev/callback`],
        post_logout_redirect_uris: [`${base}/`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  })
  const started = Date.now()
  await next(['build'], {})
  console.log(
    `next build (examples/next, Next.js 16): ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  const env = {
    APP_URL: base,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT.client_id,
    OIDC_CLIENT_SECRET: CLIENT.client_secret,
    OAUTH_SECRET: 'transactions-secret-for-the-next-example-0123456789',
    SESSION_SECRET: 'session-secret-for-the-next-example-0123456789',
  }
  server = (await next(['start', '-H', '127.0.0.1', '-p', String(port)], env, /Ready in/)).child
}, 240_000)

afterAll(async () => {
  server?.kill()
  await provider?.close()
})

/** At the provider's login page: sign in as alice. */
async function logInAtProvider(page: Page): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(provider.issuer))
  await page.fill('#login', 'alice@example.test')
  await page.fill('#password', 'pw')
  await page.click('#sign-in')
}

it('runs the login/callback route on the Edge runtime', async () => {
  const manifest = JSON.parse(
    readFileSync(`${exampleDir}/.next/server/middleware-manifest.json`, 'utf8'),
  ) as { functions: Record<string, unknown> }
  expect(Object.keys(manifest.functions)).toContain('/auth/[name]/[action]/route')
  const login = await fetch(`${base}/auth/dev/login`, { redirect: 'manual' })
  expect(login.status).toBe(302)
  expect(login.headers.get('location')).toMatch(new RegExp(`^${provider.issuer}/auth\\?`))
})

it('signs in, shows the profile and the userinfo call, stays signed in on reload, and signs out at the provider', async () => {
  const page = await newPage()
  await page.goto(base)
  await page.click('#sign-in')
  await logInAtProvider(page)
  await page.waitForURL(`${base}/profile`)
  expect(await page.textContent('#email')).toBe('alice@example.test')
  expect(JSON.parse((await page.textContent('#userinfo')) ?? '{}')).toMatchObject({
    sub: 'alice',
    email: 'alice@example.test',
  })
  // Cookies are per host, not per port: the provider's own cookies on 127.0.0.1 are in the jar too.
  const cookies = await page.context().cookies(base)
  expect(cookies.filter((c) => c.name.startsWith('oauthkit.tx.'))).toEqual([]) // the transaction is over
  expect(cookies.find((c) => c.name === 'session')).toMatchObject({
    httpOnly: true,
    sameSite: 'Lax',
    secure: false,
  })

  await page.reload()
  expect(await page.textContent('#email')).toBe('alice@example.test')

  await page.click('#sign-out')
  await page.waitForURL((url) => url.href.startsWith(provider.issuer))
  await page.click('#logout-yes')
  await page.waitForURL(`${base}/`)
  await page.waitForSelector('#sign-in')
  await page.goto(`${base}/profile`)
  await page.waitForSelector('#sign-in')
  expect(await page.$('#email')).toBeNull()
})

it('finishes two logins started at the same time in two tabs', async () => {
  const first = await newPage()
  const second = await first.context().newPage()
  await Promise.all([first.goto(base), second.goto(base)])
  await Promise.all([first.click('#sign-in'), second.click('#sign-in')])
  await Promise.all([
    first.waitForURL((url) => url.href.startsWith(provider.issuer)),
    second.waitForURL((url) => url.href.startsWith(provider.issuer)),
  ])
  await Promise.all([logInAtProvider(first), logInAtProvider(second)])
  await Promise.all([first.waitForURL(`${base}/profile`), second.waitForURL(`${base}/profile`)])
  expect(await first.textContent('#email')).toBe('alice@example.test')
  expect(await second.textContent('#email')).toBe('alice@example.test')
})

it("signs in again, without a prompt, when the provider no longer accepts the session's token", async () => {
  const page = await newPage()
  await page.goto(base)
  await page.click('#sign-in')
  await logInAtProvider(page)
  await page.waitForURL(`${base}/profile`)
  // Revoke the session's tokens at the provider (RFC 7009), as a newer login in another tab does.
  const sealed = (await page.context().cookies(base)).find((c) => c.name === 'session')!.value
  const { token } = await unsealData<{ token: { access_token: string; refresh_token?: string } }>(
    decodeURIComponent(sealed),
    { password: 'session-secret-for-the-next-example-0123456789' },
  )
  for (const value of [token.refresh_token, token.access_token]) {
    if (!value) continue
    const revoked = await fetch(`${provider.issuer}/token/revocation`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${CLIENT.client_id}:${CLIENT.client_secret}`)}` },
      body: new URLSearchParams({ token: value }),
    })
    expect(revoked.status).toBe(200)
  }
  const relogin = page.waitForRequest((r) => r.url().startsWith(`${base}/auth/dev/callback`))
  await page.reload()
  await relogin
  await page.waitForURL(`${base}/profile`)
  expect(await page.textContent('#email')).toBe('alice@example.test')
})

it('shows transaction_invalid on the error page when the transaction cookie was tampered with', async () => {
  const page = await newPage()
  await page.goto(base)
  await page.click('#sign-in')
  await page.waitForURL((url) => url.href.startsWith(provider.issuer))
  const context = page.context()
  const tx = (await context.cookies(base)).find((c) => c.name.startsWith('oauthkit.tx.'))
  expect(tx).toBeDefined()
  await context.addCookies([{ ...tx!, value: `${tx!.value.slice(0, -12)}AAAAAAAAAAAA` }])
  await logInAtProvider(page)
  await page.waitForURL((url) => url.pathname === '/auth/error')
  expect(await page.textContent('#error-code')).toBe('transaction_invalid')
  expect(new URL(page.url()).searchParams.get('code')).toBe('transaction_invalid')
})
