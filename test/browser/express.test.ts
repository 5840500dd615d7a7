/**
 * The Express example (examples/express) in a real browser: Debian's chromium driven by playwright-core,
 * signing in at the dev provider's login page. The example runs as `npm run demo` runs it: its own
 * process, `node --import tsx --conditions=oauthkit-source examples/express/server.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { useBrowser } from '../support/browser.js'
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js'
import { freePort } from '../support/ports.js'

const CLIENT = {
  client_id: 'express-example',
  client_secret: 'express-example-secret-0123456789-0123456789',
}
const { newPage } = useBrowser()

let provider: TestProvider
let example: ChildProcess
let base: string

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
        redirect_uris: [`${base}/auth/oidc/callback`],
        post_logout_redirect_uris: [`${base}/signed-out`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  })
  example = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=oauthkit-source', 'examples/express/server.ts'],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: {
        ...process.env,
        PORT: String(port),
        BASE_URL: base, // vitest sets BASE_URL=/ for its own use
        OIDC_DISCOVERY_URL: provider.discoveryUrl,
        OIDC_CLIENT_ID: CLIENT.client_id,
        OIDC_CLIENT_SECRET: CLIENT.client_secret,
        GITHUB_CLIENT_ID: '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    example.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('Listening') && resolve())
    example.on('exit', (code) => reject(new Error(`the example exited with ${code}`)))
  })
})

afterAll(async () => {
  example?.kill()
  await provider?.close()
})

/** At the provider's login page: log in as alice. */
async function logIn(page: Page): Promise<void> {
  await page.locator('#login').fill('alice@example.test')
  await page.locator('#password').fill('pw')
  await page.locator('#sign-in').click()
}

async function text(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector)
  await locator.waitFor({ timeout: 10_000 })
  return (await locator.textContent())?.trim() ?? ''
}

it(
  'signs in, stays signed in across a reload, and signs out at the provider',
  { timeout: 60_000 },
  async () => {
    const page = await newPage()
    await page.goto(base)
    await page.locator('#sign-in').click()
    await page.waitForURL(`${provider.issuer}/**`)
    await logIn(page)
    await page.waitForURL(`${base}/profile`)
    expect(await text(page, '#email')).toBe('alice@example.test')
    // The provider's userinfo, fetched with the token the database holds.
    expect(JSON.parse(await text(page, '#api'))).toMatchObject({
      sub: 'alice',
      email: 'alice@example.test',
    })

    await page.reload()
    expect(await text(page, '#email')).toBe('alice@example.test')

    await page.locator('#sign-out').click()
    await page.waitForURL(`${provider.issuer}/**`)
    await page.locator('#logout-yes').click()
    await page.waitForURL(`${base}/signed-out`)
    expect(await text(page, '#signed-out')).toBe('Signed out.')
    expect(await text(page, '#sign-in')).toBe('Sign in')
    await page.goto(`${base}/profile`)
    expect(page.url()).toBe(`${base}/`)
    expect(await page.locator('#email').count()).toBe(0)
  },
)

it(
  'finishes two logins started at the same time in two tabs of one browser',
  { timeout: 60_000 },
  async () => {
    const first = await newPage()
    const second = await first.context().newPage()
    await Promise.all([first.goto(base), second.goto(base)])
    await Promise.all([first.locator('#sign-in').click(), second.locator('#sign-in').click()])
    await Promise.all([
      first.waitForURL(`${provider.issuer}/**`),
      second.waitForURL(`${provider.issuer}/**`),
    ])
    const transactions = (await first.context().cookies(base)).filter((c) =>
      c.name.startsWith('oauthkit.tx.'),
    )
    expect(transactions).toHaveLength(2)
    await Promise.all([logIn(first), logIn(second)])
    await Promise.all([first.waitForURL(`${base}/profile`), second.waitForURL(`${base}/profile`)])
    expect(await text(first, '#email')).toBe('alice@example.test')
    expect(await text(second, '#email')).toBe('alice@example.test')
    expect(
      (await first.context().cookies(base)).filter((c) => c.name.startsWith('oauthkit.tx.')),
    ).toHaveLength(0)
  },
)

it(
  'shows transaction_invalid on the error page for a tampered transaction cookie',
  { timeout: 60_000 },
  async () => {
    const page = await newPage()
    await page.goto(base)
    await page.locator('#sign-in').click()
    await page.waitForURL(`${provider.issuer}/**`)
    const context = page.context()
    const [cookie, ...others] = (await context.cookies(base)).filter((c) =>
      c.name.startsWith('oauthkit.tx.'),
    )
    expect(cookie).toBeDefined()
    expect(others).toHaveLength(0)
    // Change one character of the sealed value: its MAC no longer matches.
    const at = cookie!.value.length - 20
    const tampered =
      cookie!.value.slice(0, at) +
      (cookie!.value[at] === 'a' ? 'b' : 'a') +
      cookie!.value.slice(at + 1)
    await context.addCookies([{ ...cookie!, value: tampered }])

    await logIn(page)
    await page.waitForURL(`${base}/auth/oidc/callback**`)
    expect(await text(page, '#error-code')).toBe('transaction_invalid')
    // Not a crash: the app still serves its pages.
    await page.goto(base)
    expect(await text(page, '#sign-in')).toBe('Sign in')
  },
)
