/**
 * The bound app (`req.oauth.create(name)`, `locals.oauth`, `getOAuth`) is a full superset of its app:
 * every public method of OAuth2App (OAuth1App for an OAuth 1 app), with the request context handed to
 * fetchToken/updateToken, against the real dev provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BoundOAuth1App,
  BoundOAuth2App,
  MemoryCookieJar,
  OAuth,
  OAuth1App,
  OAuth2App,
  RemoteAppBase,
  type OAuth2Token,
  type TokenContext,
} from '../src/index.js'
import { SECRET } from './support/helpers.js'
import {
  TEST_CLIENTS,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from './support/oidc-provider.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startTestProvider()
})
afterAll(() => provider?.close())

/** The protected members the app kinds and their shared base (RemoteAppBase) have: not part of the app's surface. */
const INTERNAL = new Set([
  'constructor',
  'toJSON',
  'transactionCookie',
  'persist',
  'apiAuthorizer',
  'providerOrigins',
  'isToken',
  'callback',
  'readToken',
  'readsTokens',
  'api',
  'fetchFunction',
  'timeout',
  'maxResponseSize',
  'services',
])
/** What an app's methods are: everything on its prototype chain up to and with the shared base, that is not internal. */
function publicMethods(proto: object): string[] {
  const names = new Set<string>()
  for (
    let p: object | null = proto;
    p && p !== RemoteAppBase.prototype && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  )
    for (const name of Object.getOwnPropertyNames(p)) names.add(name)
  for (const name of Object.getOwnPropertyNames(RemoteAppBase.prototype)) names.add(name)
  expect(names).toContain('authorizeRedirect') // the base's own methods are listed too
  return [...names].filter((name) => !INTERNAL.has(name))
}

it('has every public method and property of its app, per app kind', () => {
  const oauth = new OAuth({ secret: SECRET })
    .register('op', {
      serverMetadataUrl: 'https://idp.test/.well-known/openid-configuration',
      clientId: 'c',
    })
    .register('x', {
      requestTokenUrl: 'https://x.test/rt',
      authorizeUrl: 'https://x.test/a',
      accessTokenUrl: 'https://x.test/at',
      clientId: 'k',
      clientSecret: 's',
    })
  const bound = oauth.bind({ cookies: new MemoryCookieJar() })
  const op = bound.create('op')
  const x = bound.create('x')
  expect(op).toBeInstanceOf(BoundOAuth2App)
  expect(x).toBeInstanceOf(BoundOAuth1App)
  for (const name of [
    ...publicMethods(OAuth2App.prototype),
    'get',
    'post',
    'put',
    'patch',
    'delete',
    'name',
    'kind',
    'config',
  ])
    expect(op, name).toHaveProperty(name)
  for (const name of [
    ...publicMethods(OAuth1App.prototype),
    'get',
    'post',
    'name',
    'kind',
    'config',
  ])
    expect(x, name).toHaveProperty(name)
  expect([op.kind, x.kind, op.name, x.name, op.config.clientId]).toEqual([
    'oauth2',
    'oauth1',
    'op',
    'x',
    'c',
  ])
  // An OAuth 1 app has no userinfo, grants or logout: neither has its bound form.
  for (const name of ['userinfo', 'clientCredentials', 'logoutRedirect', 'revokeToken'])
    expect(x, name).not.toHaveProperty(name)
})

describe('against the dev provider, with tokens kept per user id', () => {
  const tokens = new Map<string, OAuth2Token>()
  const updates: Array<{ reason: string; userId: unknown }> = []
  const registry = () =>
    new OAuth({
      secret: SECRET,
      fetchToken: (_name, ctx?: TokenContext) => tokens.get(String(ctx?.userId)),
      updateToken: (_name, token: OAuth2Token, { reason, ctx }) => {
        updates.push({ reason, userId: ctx?.userId })
        tokens.set(String(ctx?.userId), token)
      },
    })
      .register('op', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: TEST_CLIENTS.basic.client_id,
        clientSecret: TEST_CLIENTS.basic.client_secret,
        scope: 'openid email offline_access',
      })
      .register('svc', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: TEST_CLIENTS.service.client_id,
        clientSecret: TEST_CLIENTS.service.client_secret,
        scope: 'api:read',
      })
      .register('device', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: TEST_CLIENTS.device.client_id,
        scope: 'openid email',
      })

  it('signs in, then userinfo(), profile(), refresh, introspection, logout and revocation through the bound app', async () => {
    const oauth = registry()
    const cookies = new MemoryCookieJar()
    const login = await oauth
      .bind({ cookies, userId: 'u1' })
      .create('op')
      .authorizeRedirect(TEST_REDIRECT_URI)
    const { url } = await provider.authorize(login.headers.get('location')!)
    const bound = oauth.bind({ cookies, request: new Request(url), userId: 'u1' }).create('op')
    const token = await bound.authorizeAccessToken()
    expect(tokens.get('u1')).toBe(token)

    // No token argument: the signed-in user's, from fetchToken with this request's context.
    expect(await bound.userinfo()).toMatchObject({ sub: 'alice', email: 'alice@example.test' })
    expect(await bound.profile()).toMatchObject({ sub: 'alice', email: 'alice@example.test' })
    expect(await bound.fetchToken()).toBe(token)
    expect((await bound.introspectToken(token.access_token)).active).toBe(true)
    expect((await bound.loadServerMetadata()).issuer).toBe(provider.issuer)
    expect(bound.isOpenId).toBe(true)

    const fresh = await bound.refreshToken(token)
    expect(fresh.access_token).not.toBe(token.access_token)
    expect(tokens.get('u1')).toBe(fresh)

    const logoutUrl = await bound.createLogoutUrl({ idTokenHint: fresh })
    expect(logoutUrl.origin).toBe(provider.issuer)
    const logout = await bound.logoutRedirect({ idTokenHint: fresh })
    expect([logout.status, logout.headers.get('location')]).toEqual([302, logoutUrl.href])
    const { url: authUrl } = await bound.createAuthorizationUrl(TEST_REDIRECT_URI)
    expect(authUrl.origin).toBe(provider.issuer)

    await bound.revokeToken(fresh)
    expect(
      (await bound.introspectToken(fresh.refresh_token!, { tokenTypeHint: 'refresh_token' }))
        .active,
    ).toBe(false)
    expect(updates.filter((u) => u.userId === 'u1').map((u) => u.reason)).toEqual([
      'login',
      'refresh',
    ])
  })

  it('runs the client credentials and device grants with the request context handed to updateToken', async () => {
    const oauth = registry()
    const service = await oauth
      .bind({ cookies: new MemoryCookieJar(), userId: 'svc' })
      .create('svc')
      .clientCredentials()
    expect(tokens.get('svc')).toBe(service)

    const device = oauth.bind({ cookies: new MemoryCookieJar(), userId: 'tv' }).create('device')
    const authorization = await device.deviceAuthorization()
    await provider.approveDevice(authorization.user_code)
    const token = await device.pollDeviceToken(authorization, { sleep: async () => undefined })
    expect(token.userinfo?.sub).toBe('alice')
    expect(tokens.get('tv')).toBe(token)
    expect(
      updates.filter((u) => u.userId === 'svc' || u.userId === 'tv').map((u) => u.reason),
    ).toEqual(['client_credentials', 'device_code'])
  })

  it('runs the password grant and token exchange (a stub token endpoint: the dev provider offers neither)', async () => {
    const seen: string[] = []
    const saved: unknown[] = []
    const oauth = new OAuth({
      secret: SECRET,
      updateToken: (_n, _t, { ctx }) => void saved.push(ctx?.userId),
    }).register('pw', {
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: 'https://idp.test/token',
      clientId: 'c',
      clientSecret: 's',
      fetch: async (input, init) => {
        seen.push(new URLSearchParams(await new Request(input, init).text()).get('grant_type')!)
        return Response.json({
          access_token: 'at',
          token_type: 'Bearer',
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        })
      },
    })
    const bound = oauth.bind({ cookies: new MemoryCookieJar(), userId: 'u2' }).create('pw')
    expect((await bound.passwordGrant('ada', 'pw')).access_token).toBe('at')
    expect(
      (
        await bound.tokenExchange({
          subjectToken: 'st',
          subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        })
      ).access_token,
    ).toBe('at')
    expect(seen).toEqual(['password', 'urn:ietf:params:oauth:grant-type:token-exchange'])
    expect(saved).toEqual(['u2'])
  })
})
