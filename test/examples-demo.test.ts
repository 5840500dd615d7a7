/**
 * The demo's preset buttons: every preset whose credentials are in the environment gets a "Sign in
 * with …" button, and signing in through one works (GitHub here, emulated with oauthkit/testing).
 */
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  OPTIONAL_PROVIDERS,
  providersFromEnv,
  startExpressExample,
  type ExpressExample,
} from '../examples/express/app.js'
import { emulateGitHub, startDevProvider, type DevProvider } from '../testing/index.js'

const server = setupServer()
let provider: DevProvider
let example: ExpressExample
let github: Awaited<ReturnType<typeof emulateGitHub>>

beforeAll(async () => {
  github = await emulateGitHub()
  server.use(...github.handlers)
  // Only GitHub's endpoints are emulated; the local example and dev provider are reached for real.
  server.listen({ onUnhandledRequest: 'bypass' })
  provider = await startDevProvider({
    clients: [
      {
        client_id: 'demo',
        client_secret: 'demo-secret-0123456789-0123456789',
        redirect_uris: ['http://127.0.0.1/unused'],
      },
    ],
  })
  const env = {
    GITHUB_CLIENT_ID: 'gh',
    GITHUB_CLIENT_SECRET: 'gh-secret',
    GOOGLE_CLIENT_ID: 'g',
    GOOGLE_CLIENT_SECRET: 'g-secret',
    OKTA_CLIENT_ID: 'o',
    OKTA_CLIENT_SECRET: 'o-secret',
  }
  example = await startExpressExample({
    port: 0,
    discoveryUrl: provider.discoveryUrl,
    clientId: 'demo',
    clientSecret: 'demo-secret-0123456789-0123456789',
    providers: providersFromEnv(env),
  })
})

afterAll(async () => {
  server.close()
  await example?.close()
  await provider?.close()
})

it('offers a button for each preset whose client id and secret (and settings) are set', async () => {
  expect(OPTIONAL_PROVIDERS.length).toBeGreaterThanOrEqual(33)
  // Okta also needs OKTA_ISSUER, so it stays hidden.
  expect(
    providersFromEnv({
      GITHUB_CLIENT_ID: 'a',
      GITHUB_CLIENT_SECRET: 'b',
      GOOGLE_CLIENT_ID: 'c',
      GOOGLE_CLIENT_SECRET: 'd',
      OKTA_CLIENT_ID: 'e',
      OKTA_CLIENT_SECRET: 'f',
    }).map((p) => p.name),
  ).toEqual(['github', 'google'])
  const home = await (await fetch(`${example.url}/`)).text()
  expect(home).toContain('Sign in with GitHub')
  expect(home).toContain('Sign in with Google')
  expect(home).not.toContain('Sign in with Okta')
})

it('every optional preset makes its button once its credentials and settings are set', () => {
  const settings: Record<string, string> = {
    OKTA_ISSUER: 'https://dev-1.okta.test/oauth2/default',
    AUTH0_DOMAIN: 'dev-1.auth0.test',
    KEYCLOAK_BASE_URL: 'https://sso.example.test',
    KEYCLOAK_REALM: 'demo',
    COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
    COGNITO_DOMAIN: 'https://acme.auth.eu-west-1.amazoncognito.com',
    ZITADEL_ISSUER: 'https://acme.zitadel.test',
    AUTHENTIK_BASE_URL: 'https://auth.example.test',
    AUTHENTIK_SLUG: 'portal',
    DEX_ISSUER: 'https://auth.example.test/dex',
  }
  const env = { ...settings }
  for (const { env: prefix } of OPTIONAL_PROVIDERS) {
    env[`${prefix}_CLIENT_ID`] = `${prefix.toLowerCase()}-id`
    env[`${prefix}_CLIENT_SECRET`] = `${prefix.toLowerCase()}-secret`
  }
  const names = providersFromEnv(env).map((p) => p.name)
  expect(names).toEqual(OPTIONAL_PROVIDERS.map((p) => p.env.toLowerCase()))
  for (const name of [
    'line',
    'kakao',
    'naver',
    'wechat',
    'salesforce',
    'cognito',
    'atlassian',
    'yahoo',
    'amazon',
    'box',
    'patreon',
    'zitadel',
    'authentik',
    'dex',
  ])
    expect(names).toContain(name)
})

it('signs in through the GitHub preset button and shows the normalised profile', async () => {
  const login = await fetch(`${example.url}/auth/github/login?returnTo=/profile`, {
    redirect: 'manual',
  })
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const callback = await github.authorize(login.headers.get('location')!)
  const done = await fetch(callback.url, { redirect: 'manual', headers: { cookie } })
  expect(done.status).toBe(303)
  const session = done.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const profile = await (
    await fetch(`${example.url}/profile`, { headers: { cookie: session } })
  ).text()
  expect(profile).toContain('octocat@github.test')
  expect(profile).toContain('id="provider">github<')
})
