/**
 * Pushed Authorization Requests (RFC 9126) and DPoP (RFC 9449) against oidc-provider on 127.0.0.1, with
 * a resource server that checks every DPoP proof (test/support/dpop-resource-server.ts).
 */
import { randomBytes } from 'node:crypto'
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  MemoryTokenStore,
  OAuth,
  type OAuth2AppConfig,
  type OAuth2Token,
} from '../src/index.js'
import { startDPoPResourceServer, type DPoPResourceServer } from './support/dpop-resource-server.js'
import { SECRET, expectCode } from './support/helpers.js'
import {
  TEST_CLIENTS,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from './support/oidc-provider.js'

let provider: TestProvider
/** The same provider, requiring PAR of every client. */
let strict: TestProvider
let rs: DPoPResourceServer
/** oidc-provider asks for a DPoP nonce at its endpoints. */
let asNonce = false
/** What the providers did (their events). */
let calls: string[] = []

/** The provider's events: pushed requests, token grants and their errors. */
function record(p: TestProvider) {
  p.provider.on('pushed_authorization_request.success', () => void calls.push('par'))
  p.provider.on('grant.success', () => void calls.push('grant'))
  p.provider.on('grant.error', (_ctx: unknown, error: { error?: string }) => {
    calls.push(`grant.error ${error.error}`)
  })
}

beforeAll(async () => {
  const features = {
    dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => asNonce },
    pushedAuthorizationRequests: { enabled: true },
  }
  provider = await startTestProvider({ configuration: { features } as never })
  strict = await startTestProvider({
    configuration: {
      features: { pushedAuthorizationRequests: { requirePushedAuthorizationRequests: true } },
    } as never,
  })
  record(provider)
  record(strict)
  rs = await startDPoPResourceServer(introspect)
})
afterAll(async () => {
  await provider?.close()
  await strict?.close()
  await rs?.close()
})
beforeEach(() => {
  asNonce = false
  calls = []
  rs.seen = []
  rs.nonce = 'none'
  rs.revoked.clear()
})

/** The provider's introspection (RFC 7662), as the resource server asks it. */
async function introspect(token: string) {
  const { client_id, client_secret } = TEST_CLIENTS.basic
  const response = await fetch(`${provider.issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${client_id}:${client_secret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  return (await response.json()) as { active: boolean; cnf?: { jkt?: string }; token_type?: string }
}

function app(p: TestProvider, config: Partial<OAuth2AppConfig> = {}, saved: OAuth2Token[] = []) {
  return new OAuth({ secret: SECRET, updateToken: (_n, t) => void saved.push(t as OAuth2Token) })
    .register('op', {
      serverMetadataUrl: p.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
      scope: 'openid email',
      trustedOrigins: [rs.url],
      ...config,
    })
    .create('op')
}

type App = ReturnType<typeof app>

async function login(p: TestProvider, a: App, cookies = new MemoryCookieJar()) {
  const redirect = await a.authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
  const location = new URL(redirect.headers.get('location')!)
  const { url } = await p.authorize(location)
  const token = await a.authorizeAccessToken({ cookies, request: new Request(url) })
  return { token, location }
}

describe('PAR (RFC 9126)', () => {
  it('pushes the request and sends the browser with client_id and request_uri only', async () => {
    const saved: OAuth2Token[] = []
    const { token, location } = await login(
      provider,
      app(provider, { pushedAuthorizationRequests: true }, saved),
    )
    expect([...location.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(location.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)
    expect(calls).toContain('par')
    expect(token.userinfo?.sub).toBe('alice')
    expect(saved).toEqual([token])
  })

  it("'required' pushes too", async () => {
    const { location } = await login(
      provider,
      app(provider, { pushedAuthorizationRequests: 'required' }),
    )
    expect([...location.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
  })

  it('is not used unless the app or the provider asks for it', async () => {
    const { location } = await login(provider, app(provider))
    expect(location.searchParams.get('request_uri')).toBeNull()
    expect(location.searchParams.get('code_challenge')).toBeTruthy()
    expect(calls).not.toContain('par')
  })

  it('is used when the metadata says require_pushed_authorization_requests', async () => {
    const metadata = await (await fetch(strict.discoveryUrl)).json()
    expect(metadata.require_pushed_authorization_requests).toBe(true)
    const { token, location } = await login(strict, app(strict))
    expect([...location.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(token.userinfo?.sub).toBe('alice')
  })

  it("'required' without a PAR endpoint in the metadata is metadata_invalid", async () => {
    const cookies = new MemoryCookieJar()
    const explicit = app(provider, {
      serverMetadataUrl: undefined,
      issuer: provider.issuer,
      authorizeUrl: `${provider.issuer}/auth`,
      accessTokenUrl: `${provider.issuer}/token`,
      jwksUri: `${provider.issuer}/jwks`,
      pushedAuthorizationRequests: 'required',
    })
    await expectCode(
      explicit.authorizeRedirect({ cookies }, TEST_REDIRECT_URI),
      ErrorCode.METADATA_INVALID,
    )
    expect(cookies.getAll()).toEqual([])
  })

  it('refuses a bad setting at register', () => {
    expect(() => app(provider, { pushedAuthorizationRequests: 'yes' as never })).toThrow(
      /pushedAuthorizationRequests must be true, false or 'required'/,
    )
    expect(() => app(provider, { dpop: 1 as never })).toThrow(/dpop must be true or false/)
  })
})

describe('DPoP (RFC 9449)', () => {
  it('logs in with a DPoP-bound token whose cnf.jkt is the key kept in the token', async () => {
    const { token } = await login(provider, app(provider, { dpop: true }))
    expect(token.token_type).toBe('dpop')
    expect(token.dpop_jwk).toMatchObject({ kty: 'EC', crv: 'P-256' })
    const introspection = await introspect(token.access_token)
    expect(introspection.active).toBe(true)
    const { d: _d, ...publicJwk } = token.dpop_jwk!
    expect(introspection.cnf?.jkt).toBe(await jose.calculateJwkThumbprint(publicJwk, 'sha256'))
  })

  it('calls a resource server that checks the proof: get, post and app.fetch', async () => {
    const a = app(provider, { dpop: true })
    const { token } = await login(provider, a)
    expect(await a.get(`${rs.url}/me`, { token }).json()).toMatchObject({ ok: true })
    expect(await a.post(`${rs.url}/items`, { token, json: { a: 1 } }).json()).toMatchObject({
      ok: true,
    })
    const response = await a.fetcher({ token })(`${rs.url}/feed?page=2`)
    expect(response.status).toBe(200)
    expect(rs.seen.map((s) => [s.method, s.path, s.ok, s.reason])).toEqual([
      ['GET', '/me', true, undefined],
      ['POST', '/items', true, undefined],
      ['GET', '/feed', true, undefined],
    ])
    // One proof per request: every jti differs, htu has no query.
    expect(new Set(rs.seen.map((s) => s.proof?.jti)).size).toBe(3)
    expect(rs.seen[2]!.proof?.htu).toBe(`${rs.url}/feed`)
    // And userinfo takes the DPoP-bound token with its proof.
    expect((await a.userinfo(token)).sub).toBe('alice')
  })

  it('refreshes with the same key, and the new token is bound to it', async () => {
    const a = app(provider, { dpop: true })
    const { token } = await login(provider, a)
    const fresh = await a.refreshToken(token)
    expect(fresh.access_token).not.toBe(token.access_token)
    expect(fresh.token_type).toBe('dpop')
    expect(fresh.dpop_jwk).toEqual(token.dpop_jwk)
    const { d: _d, ...publicJwk } = token.dpop_jwk!
    expect((await introspect(fresh.access_token)).cnf?.jkt).toBe(
      await jose.calculateJwkThumbprint(publicJwk, 'sha256'),
    )
    expect(await a.get(`${rs.url}/me`, { token: fresh }).json()).toMatchObject({ ok: true })
  })

  it('refreshes once after a 401 DPoP error="invalid_token" and retries with the new bound token', async () => {
    const saved: OAuth2Token[] = []
    const a = app(provider, { dpop: true }, saved)
    const { token } = await login(provider, a)
    rs.revoked.add(token.access_token)
    saved.length = 0
    expect(await a.get(`${rs.url}/me`, { token }).json()).toMatchObject({ ok: true })
    expect(rs.seen.map((s) => [s.ok, s.reason])).toEqual([
      [false, 'inactive token'],
      [true, undefined],
    ])
    expect(saved).toHaveLength(1)
    expect(saved[0]!.token_type).toBe('dpop')
    expect(saved[0]!.dpop_jwk).toEqual(token.dpop_jwk)
  })

  it('keeps the key through the sealed store: a later call reads it back and proves it', async () => {
    const store = new MemoryTokenStore()
    const a = new OAuth({ store, secret: SECRET })
      .register('op', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: TEST_CLIENTS.basic.client_id,
        clientSecret: TEST_CLIENTS.basic.client_secret,
        scope: 'openid',
        dpop: true,
        trustedOrigins: [rs.url],
      })
      .create('op')
    const cookies = new MemoryCookieJar()
    const redirect = await a.authorizeRedirect({ cookies, userId: 'u1' }, TEST_REDIRECT_URI)
    const { url } = await provider.authorize(redirect.headers.get('location')!)
    await a.authorizeAccessToken({ cookies, userId: 'u1', request: new Request(url) })
    const stored = await a.fetchToken({ userId: 'u1' })
    expect(stored.token_type).toBe('dpop')
    expect(stored.dpop_jwk?.d).toBeTruthy()
    const response = await a.fetcher({ ctx: { userId: 'u1' } })(`${rs.url}/me`)
    expect(response.status).toBe(200)
  })

  it('answers the nonce round trips: the token endpoint (400) and the resource server (401)', async () => {
    asNonce = true
    const a = app(provider, { dpop: true })
    const { token } = await login(provider, a)
    expect(token.token_type).toBe('dpop')
    // The code exchange was sent twice: without a nonce, then with the one the provider gave.
    expect(calls).toEqual(['grant.error use_dpop_nonce', 'grant'])
    calls = []
    const fresh = await a.refreshToken(token)
    expect(fresh.token_type).toBe('dpop')
    // The handle of the refresh is new: its first request has no nonce either.
    expect(calls).toEqual(['grant.error use_dpop_nonce', 'grant'])
    rs.nonce = 'nonce'
    expect(await a.get(`${rs.url}/me`, { token: fresh }).json()).toMatchObject({ ok: true })
    expect(rs.seen.map((s) => [s.ok, s.reason, s.proof?.nonce === undefined])).toEqual([
      [false, 'use_dpop_nonce', true],
      [true, undefined, false],
    ])
    // The nonce is kept for the next call: no second round trip.
    rs.seen = []
    expect((await a.fetcher({ token: fresh })(`${rs.url}/me`)).status).toBe(200)
    expect(rs.seen.map((s) => s.ok)).toEqual([true])
  })
})
