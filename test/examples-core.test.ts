/**
 * The README's framework-free example (examples/core/server.ts), run as written against the local
 * OpenID provider: sign in, land on the page showing the user's email.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestProvider, type TestProvider } from './support/oidc-provider.js'
import { freePort } from './support/ports.js'

let provider: TestProvider
let example: ChildProcess
let base: string

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  provider = await startTestProvider({
    clients: [
      {
        client_id: 'example',
        client_secret: 'example-secret-0123456789-0123456789',
        redirect_uris: [`${base}/auth/corp/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  })
  const root = fileURLToPath(new URL('..', import.meta.url))
  example = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=oauthkit-source', 'examples/core/server.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        BASE_URL: base,
        OIDC_DISCOVERY_URL: provider.discoveryUrl,
        OIDC_CLIENT_ID: 'example',
        OIDC_CLIENT_SECRET: 'example-secret-0123456789-0123456789',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    example.stdout!.on('data', (c: Buffer) => String(c).includes('Listening') && resolve())
    example.on('exit', (code) => reject(new Error(`example exited with ${code}`)))
  })
})

afterAll(async () => {
  example?.kill()
  await provider?.close()
})

it('signs in with the discovery-configured app and shows the email', async () => {
  const login = await fetch(`${base}/auth/corp/login`, { redirect: 'manual' })
  expect(login.status).toBe(302)
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const { url } = await provider.authorize(login.headers.get('location')!)
  const callback = await fetch(url, { redirect: 'manual', headers: { cookie } })
  expect(callback.status).toBe(303)
  expect(callback.headers.get('referrer-policy')).toBe('no-referrer')
  expect(callback.headers.getSetCookie().join()).toMatch(/Max-Age=0/)
  const session = callback.headers
    .getSetCookie()
    .find((c) => c.startsWith('sid='))!
    .split(';')[0]!
  expect(await (await fetch(`${base}/`, { headers: { cookie: session } })).text()).toBe(
    'Signed in as alice@example.test',
  )
  // Tokens are kept per user of the app: another visitor is not signed in as the last user who was.
  expect(await (await fetch(`${base}/`)).text()).toBe('<a href="/auth/corp/login">Sign in</a>')
})

it('shows a typed error code for a callback without its transaction', async () => {
  const res = await fetch(`${base}/auth/corp/callback?code=x&state=y`)
  expect(res.status).toBe(400)
  expect(await res.text()).toBe('Sign-in failed: transaction_not_found')
})
