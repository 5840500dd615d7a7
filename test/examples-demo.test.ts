/**
 * The demo's preset buttons: every preset of oauthkit/providers gets a "Sign in with …" button once
 * its credentials and settings are in the environment, and signing in through one works for each
 * kind of app on the same routes: OAuth 2 (GitHub), OAuth 1.0a (Tumblr), OpenID 2.0 (Steam) and a
 * client registered at first use (Mastodon), each emulated with oauthkit/testing.
 */
import { generateKeyPairSync } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { setupServer } from 'msw/node'
import * as presets from 'oauthkit/providers'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  OPTIONAL_PROVIDERS,
  providersFromEnv,
  startExpressExample,
  type ExpressExample,
  type OptionalProvider,
} from '../examples/express/app.js'
import {
  STEAM_TEST_API_KEY,
  TUMBLR_TEST_CONSUMER,
  emulateGitHub,
  emulateMastodon,
  emulateSteam,
  emulateTumblr,
  startDevProvider,
  type DevProvider,
} from '../testing/index.js'

const server = setupServer()
let provider: DevProvider
let example: ExpressExample
/** The example with every preset enabled. */
let every: ExpressExample
let github: Awaited<ReturnType<typeof emulateGitHub>>
let tumblr: Awaited<ReturnType<typeof emulateTumblr>>
let steam: ReturnType<typeof emulateSteam>
let mastodon: Awaited<ReturnType<typeof emulateMastodon>>

beforeAll(async () => {
  github = await emulateGitHub()
  tumblr = await emulateTumblr()
  steam = emulateSteam()
  mastodon = await emulateMastodon()
  server.use(...github.handlers, ...tumblr.handlers, ...steam.handlers, ...mastodon.handlers)
  // Only the providers' endpoints are emulated; the local example and dev provider are reached for real.
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
  const options = {
    port: 0,
    discoveryUrl: provider.discoveryUrl,
    clientId: 'demo',
    clientSecret: 'demo-secret-0123456789-0123456789',
  }
  example = await startExpressExample({ ...options, providers: providersFromEnv(env) })
  every = await startExpressExample({
    ...options,
    providers: providersFromEnv(
      everyPresetEnv({
        TUMBLR_CLIENT_ID: TUMBLR_TEST_CONSUMER.key,
        TUMBLR_CLIENT_SECRET: TUMBLR_TEST_CONSUMER.secret,
        STEAM_API_KEY: STEAM_TEST_API_KEY,
      }),
    ),
  })
})

afterAll(async () => {
  server.close()
  await example?.close()
  await every?.close()
  await provider?.close()
})

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')

/** Click the button of `name` on `at`, approve at the provider, and open the profile page. */
async function signIn(
  at: ExpressExample,
  name: string,
  emulation: { authorize(url: string): Promise<{ url: string }> },
): Promise<string> {
  const login = await fetch(`${at.url}/auth/${name}/login?returnTo=/profile`, {
    redirect: 'manual',
  })
  expect(login.status).toBe(302)
  const callback = await emulation.authorize(login.headers.get('location')!)
  const done = await fetch(callback.url, {
    redirect: 'manual',
    headers: { cookie: cookiesOf(login) },
  })
  expect(done.status).toBe(303)
  expect(done.headers.get('location')).toBe('/profile')
  const profile = await fetch(`${at.url}/profile`, { headers: { cookie: cookiesOf(done) } })
  expect(profile.status).toBe(200)
  return profile.text()
}

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

/** The presets: each `src/providers/<file>.ts` exports its factory under the file's camelCased name. */
function presetFactories(): string[] {
  const exported = Object.entries(presets)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
  const files = readdirSync(new URL('../src/providers/', import.meta.url)).map((file) =>
    file
      .replace(/\.ts$/, '')
      .replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
      .replace(/Oauth/, 'OAuth'),
  )
  const factories = exported.filter((name) => files.includes(name))
  // Every other function is a helper named after its preset (githubTokenResponse, steamId), or
  // definePreset: a factory named otherwise would be missed, so it fails here.
  for (const name of exported)
    if (name !== 'definePreset' && !factories.some((factory) => name.startsWith(factory)))
      expect.fail(`${name}: neither a preset factory (named after its file) nor one's helper`)
  return factories
}

/** The variables an optional preset reads to be enabled: the credentials it takes and its settings. */
const variablesOf = ({
  env,
  credentials = ['CLIENT_ID', 'CLIENT_SECRET'],
  needs = [],
}: OptionalProvider) => [...credentials.map((key) => `${env}_${key}`), ...needs]

/** Every optional preset's variables, set (`values` first). */
function everyPresetEnv(values: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of OPTIONAL_PROVIDERS.flatMap(variablesOf))
    env[name] = values[name] ?? SETTINGS[name] ?? `${name.toLowerCase()}-value`
  return env
}

const SETTINGS: Record<string, string> = {
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
  APPLE_TEAM_ID: 'TEAM012345',
  APPLE_KEY_ID: 'KEY0123456',
  // The .p8 file's contents: a PKCS#8 PEM of a P-256 key.
  APPLE_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString(),
  MASTODON_INSTANCE: 'https://mastodon.test',
}

it('has an optional provider for every preset of oauthkit/providers', () => {
  const factories = presetFactories()
  expect(factories.length).toBeGreaterThanOrEqual(40)
  expect(OPTIONAL_PROVIDERS.map((p) => p.preset).sort()).toEqual([...factories].sort())
})

it('every preset makes its button once its credentials and settings are set, and not before', async () => {
  const env = everyPresetEnv()
  const names = providersFromEnv(env).map((p) => p.name)
  expect(names).toEqual(OPTIONAL_PROVIDERS.map((p) => p.env.toLowerCase()))
  const home = await (await fetch(`${every.url}/`)).text()
  for (const { env: prefix, preset } of OPTIONAL_PROVIDERS) {
    expect(home, preset).toContain(`id="sign-in-${prefix.toLowerCase()}"`)
    // Each variable it reads is needed: without any one of them, no button.
    for (const name of variablesOf(OPTIONAL_PROVIDERS.find((p) => p.preset === preset)!)) {
      const { [name]: _, ...without } = env
      expect(
        providersFromEnv(without).map((p) => p.name),
        `${preset} without ${name}`,
      ).not.toContain(prefix.toLowerCase())
    }
  }
  // Steam needs only the Web API key; Mastodon only its instance; Apple no client secret.
  expect(providersFromEnv({ STEAM_API_KEY: 'k' }).map((p) => p.name)).toEqual(['steam'])
  expect(
    providersFromEnv({ MASTODON_INSTANCE: 'https://mastodon.test' }).map((p) => p.name),
  ).toEqual(['mastodon'])
})

it('signs in through the GitHub preset button and shows the normalised profile', async () => {
  const profile = await signIn(example, 'github', github)
  expect(profile).toContain('octocat@github.test')
  expect(profile).toContain('id="provider">github<')
})

it('signs in through an OAuth 1.0a preset (Tumblr) on the same routes', async () => {
  const profile = await signIn(every, 'tumblr', tumblr)
  expect(profile).toContain('id="provider">tumblr<')
  expect(profile).toContain('adatester')
})

it('signs in through the OpenID 2.0 preset (Steam) with only its Web API key', async () => {
  const profile = await signIn(every, 'steam', steam)
  expect(profile).toContain('id="subject">76561197960287930<')
  expect(profile).toContain('Ada Tester')
})

it('registers the demo at the Mastodon instance on the first click, once', async () => {
  expect(mastodon.registered).toHaveLength(0) // nothing at startup
  const profile = await signIn(every, 'mastodon', mastodon)
  expect(profile).toContain('id="subject">109382@mastodon.test<')
  expect(mastodon.registered).toHaveLength(1)
  expect(mastodon.registered[0]!.redirect_uris).toEqual([`${every.url}/auth/mastodon/callback`])
  await signIn(every, 'mastodon', mastodon)
  expect(mastodon.registered).toHaveLength(1)
})
