/**
 * The full login against a real OpenID provider (oidc-provider on 127.0.0.1): authorizeRedirect →
 * scripted login and consent → authorizeAccessToken → userinfo, for every client auth method, with
 * discovery and with explicit endpoints.
 */
import * as jose from 'jose'
import type { KoaContextWithOIDC } from 'oidc-provider'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth2AppConfig,
  type OAuth2Token,
} from '../src/index.js'
import { SECRET, expectCode } from './support/helpers.js'
import { credentialsInPlay } from './support/secrets.js'
import {
  TEST_CLIENTS,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from './support/oidc-provider.js'

let provider: TestProvider
let pem: string
/** How each successful token request authenticated the client, as the provider received it. */
let tokenAuth: string[]
beforeAll(async () => {
  provider = await startTestProvider()
  pem = await jose.exportPKCS8(
    (await jose.importJWK(provider.privateKeyJwk, 'ES256', { extractable: true })) as CryptoKey,
  )
  provider.provider.on(
    'grant.success',
    (ctx: KoaContextWithOIDC) => void tokenAuth.push(clientAuthSeen(ctx)),
  )
})
beforeEach(() => {
  tokenAuth = []
})
afterAll(() => provider?.close())

/** oidc-provider accepts client_secret_basic and client_secret_post for either: tell them apart from the request itself. */
function clientAuthSeen(ctx: KoaContextWithOIDC): string {
  const params = ctx.oidc.params as Record<string, unknown>
  if (/^basic /i.test(ctx.get('authorization')))
    return params.client_secret === undefined ? 'client_secret_basic' : 'basic and post'
  if (typeof params.client_assertion === 'string')
    return jose.decodeProtectedHeader(params.client_assertion).alg?.startsWith('HS')
      ? 'client_secret_jwt'
      : 'private_key_jwt'
  return params.client_secret === undefined ? 'none' : 'client_secret_post'
}

type Credentials = Pick<
  OAuth2AppConfig,
  | 'clientId'
  | 'clientSecret'
  | 'tokenEndpointAuthMethod'
  | 'privateKey'
  | 'privateKeyAlg'
  | 'privateKeyId'
>
const methods: Array<[string, string, () => Credentials]> = [
  [
    'client_secret_basic',
    'client_secret_basic',
    () => ({
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
    }),
  ],
  [
    'client_secret_post',
    'client_secret_post',
    () => ({
      clientId: TEST_CLIENTS.post.client_id,
      clientSecret: TEST_CLIENTS.post.client_secret,
      tokenEndpointAuthMethod: 'client_secret_post',
    }),
  ],
  [
    'client_secret_jwt',
    'client_secret_jwt',
    () => ({
      clientId: TEST_CLIENTS.jwt.client_id,
      clientSecret: TEST_CLIENTS.jwt.client_secret,
      tokenEndpointAuthMethod: 'client_secret_jwt',
    }),
  ],
  [
    'private_key_jwt (JWK)',
    'private_key_jwt',
    () => ({ clientId: TEST_CLIENTS.pkjwt.client_id, privateKey: provider.privateKeyJwk as never }),
  ],
  [
    'private_key_jwt (CryptoKey)',
    'private_key_jwt',
    () => ({
      clientId: TEST_CLIENTS.pkjwt.client_id,
      privateKey: provider.privateKey,
      tokenEndpointAuthMethod: 'private_key_jwt',
    }),
  ],
  [
    'private_key_jwt (PKCS#8 PEM)',
    'private_key_jwt',
    () => ({
      clientId: TEST_CLIENTS.pkjwt.client_id,
      privateKey: pem,
      privateKeyAlg: 'ES256',
      privateKeyId: provider.privateKeyJwk.kid,
    }),
  ],
  ['none (public client, PKCE only)', 'none', () => ({ clientId: TEST_CLIENTS.none.client_id })],
]

function explicitEndpoints(): Partial<OAuth2AppConfig> {
  const base = provider.issuer
  return {
    issuer: base,
    authorizeUrl: `${base}/auth`,
    accessTokenUrl: `${base}/token`,
    userinfoEndpoint: `${base}/me`,
    jwksUri: `${base}/jwks`,
  }
}

async function login(
  oauth: OAuth<Record<'op', import('../src/index.js').OAuth2App>>,
): Promise<OAuth2Token> {
  const cookies = new MemoryCookieJar()
  const redirect = await oauth
    .create('op')
    .authorizeRedirect({ cookies }, TEST_REDIRECT_URI, { returnTo: '/profile' })
  const { url } = await provider.authorize(redirect.headers.get('location')!)
  expect(url.searchParams.get('iss')).toBe(provider.issuer)
  return oauth.create('op').authorizeAccessToken({ cookies, request: new Request(url) })
}

describe.each([
  ['discovery', () => ({ serverMetadataUrl: provider.discoveryUrl })],
  ['explicit endpoints', explicitEndpoints],
])('login with %s', (_label, endpoints) => {
  it.each(methods)(
    'signs in with %s (the provider receives that client authentication) and reads userinfo',
    async (_label, method, credentials) => {
      const saved: OAuth2Token[] = []
      const oauth = new OAuth({
        secret: SECRET,
        updateToken: (_n, t: OAuth2Token) => void saved.push(t),
      }).register('op', {
        ...endpoints(),
        ...credentials(),
        scope: 'openid email profile',
      } as OAuth2AppConfig)
      const token = await login(oauth)
      expect(token.token_type).toBe('bearer')
      expect(token.access_token).toBeTruthy()
      expect(token.refresh_token).toBeTruthy()
      expect(token.userinfo).toMatchObject({
        sub: 'alice',
        email: 'alice@example.test',
        iss: provider.issuer,
        aud: credentials().clientId,
      })
      expect(token.expires_at).toBeGreaterThan(Date.now() / 1000)
      expect(saved).toEqual([token])
      expect(tokenAuth).toEqual([method])
      const info = await oauth.create('op').userinfo(token)
      expect(info).toMatchObject({
        sub: 'alice',
        email: 'alice@example.test',
        name: 'Alice Example',
      })
    },
  )
})

describe('against the real provider', () => {
  it('records the codes and tokens it issues as credentials in play (what the secrecy checks look for)', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
      scope: 'openid email',
    })
    const token = await login(oauth)
    const inPlay = credentialsInPlay()
    for (const value of [token.access_token, token.refresh_token, token.id_token])
      expect(inPlay.has(value!), 'an issued token is not registered').toBe(true)
  })

  it('refuses a wrong client secret as a token error with the provider error kept', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: 'wrong-secret-wrong-secret-wrong-secret',
      scope: 'openid',
    })
    const err = await expectCode(login(oauth), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_client')
    expect(err.message).not.toContain('wrong-secret')
  })

  it('surfaces a denied login as access_denied', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: TEST_CLIENTS.none.client_id,
      scope: 'openid',
    })
    const cookies = new MemoryCookieJar()
    const redirect = await oauth.create('op').authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
    const { url } = await provider.authorize(redirect.headers.get('location')!, { deny: true })
    await expectCode(
      oauth.create('op').authorizeAccessToken({ cookies, request: new Request(url) }),
      ErrorCode.ACCESS_DENIED,
    )
  })

  it('works with a form_post callback', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
      scope: 'openid email',
      responseMode: 'form_post',
    })
    const cookies = new MemoryCookieJar()
    const redirect = await oauth.create('op').authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
    const { url, form } = await provider.authorize(redirect.headers.get('location')!)
    expect(form).toBeDefined()
    const request = new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form!.toString(),
    })
    const token = await oauth.create('op').authorizeAccessToken({ cookies, request })
    expect(token.userinfo?.email).toBe('alice@example.test')
  })

  it('refreshes with rotation through refreshToken and keeps the identity', async () => {
    const saved: Array<[OAuth2Token, string | undefined]> = []
    const oauth = new OAuth({
      secret: SECRET,
      updateToken: (_n, t: OAuth2Token, info) => void saved.push([t, info.refreshToken]),
    }).register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
      scope: 'openid email',
    })
    const token = await login(oauth)
    const fresh = await oauth.create('op').refreshToken(token)
    expect(fresh.access_token).not.toBe(token.access_token)
    expect(fresh.refresh_token).not.toBe(token.refresh_token)
    expect(fresh.userinfo?.sub).toBe('alice')
    expect(saved.at(-1)).toEqual([fresh, token.refresh_token])
    // Within this registry a late caller holding the old token gets the new one, not a second refresh.
    expect(await oauth.create('op').refreshToken(token)).toEqual(fresh)
    // Elsewhere the rotated-out refresh token no longer works: a typed error telling the app to sign in again.
    const elsewhere = new OAuth({ secret: SECRET }).register('op', { ...oauth.create('op').config })
    const err = await expectCode(
      elsewhere.create('op').refreshToken(token),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    expect(err.error).toBe('invalid_grant')
  })
})
