import { beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth2App,
  type OAuth2Token,
} from '../src/index.js'
import { FakeIdp } from './support/fake-idp.js'
import { REDIRECT, SECRET, expectCode, useMsw } from './support/helpers.js'

const server = useMsw()

let idp: FakeIdp
let updates: OAuth2Token[]
let reasons: string[]
beforeEach(async () => {
  idp = await FakeIdp.create()
  server.use(...idp.handlers())
  updates = []
  reasons = []
})

function registry() {
  return new OAuth({
    secret: SECRET,
    updateToken: (_name, token: OAuth2Token, info) =>
      void (updates.push(token), reasons.push(info.reason)),
  }).register('idp', {
    serverMetadataUrl: idp.discoveryUrl,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scope: 'openid email',
  })
}

async function startLogin<O extends { create(name: 'idp'): OAuth2App }>(
  oauth: O = registry() as unknown as O,
  cookies = new MemoryCookieJar(),
) {
  const res = await oauth.create('idp').authorizeRedirect({ cookies }, REDIRECT)
  return { oauth, cookies, location: new URL(res.headers.get('location')!), res }
}

describe('authorizeRedirect', () => {
  it('redirects with a fresh state, PKCE S256 and a nonce, and stores one sealed cookie per login', async () => {
    const { location, cookies, res } = await startLogin()
    expect(res.status).toBe(302)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const q = location.searchParams
    expect(location.origin + location.pathname).toBe(`${idp.issuer}/authorize`)
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe(idp.clientId)
    expect(q.get('redirect_uri')).toBe(REDIRECT)
    expect(q.get('scope')).toBe('openid email')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(22)
    expect(q.get('nonce')).toBeTruthy()
    const headers = cookies.setCookieHeaders()
    expect(headers).toHaveLength(1)
    expect(headers[0]).toMatch(/HttpOnly/)
    expect(headers[0]).toMatch(/Secure/)
    expect(headers[0]).toMatch(/SameSite=Lax/)
    // The verifier and nonce are sealed, not readable in the cookie.
    expect(headers[0]).not.toContain(q.get('nonce')!)
  })

  it('lets per-call params override the app authorizeParams, but never state or PKCE', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      scope: 'openid',
      authorizeParams: { prompt: 'login', ui_locales: 'fr' },
    })
    const { url } = await oauth
      .create('idp')
      .createAuthorizationUrl(REDIRECT, { params: { prompt: 'consent' } })
    expect(url.searchParams.get('prompt')).toBe('consent')
    expect(url.searchParams.get('ui_locales')).toBe('fr')
    await expectCode(
      oauth.create('idp').createAuthorizationUrl(REDIRECT, { params: { state: 'mine' } }),
      ErrorCode.INVALID_REQUEST,
    )
  })

  it('refuses the implicit grant with a pointer to code + PKCE', async () => {
    const oauth = registry()
    const err = await expectCode(
      oauth.create('idp').createAuthorizationUrl(REDIRECT, { params: { response_type: 'token' } }),
      ErrorCode.UNSUPPORTED_OPERATION,
    )
    expect(err.message).toMatch(/authorization code grant with PKCE/)
  })

  it('sends no PKCE only when the app turns it off', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      pkce: false,
    })
    const { url, transaction } = await oauth.create('idp').createAuthorizationUrl(REDIRECT)
    expect(url.searchParams.has('code_challenge')).toBe(false)
    expect(transaction.codeVerifier).toBeUndefined()
    expect(url.searchParams.has('nonce')).toBe(false)
  })

  it('sends no nonce when the app says so, and then refuses an ID token that carries one', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid',
      nonce: false,
    })
    const { cookies, location } = await startLogin(oauth)
    expect(location.searchParams.has('nonce')).toBe(false)
    const token = await oauth
      .create('idp')
      .authorizeAccessToken({ cookies, request: new Request(idp.authorize(location)) })
    expect(token.userinfo?.nonce).toBeUndefined()
    const second = await startLogin(oauth)
    const callback = idp.authorize(second.location)
    idp.overrides.token = async () =>
      Response.json({
        access_token: 'at',
        token_type: 'Bearer',
        id_token: await idp.idToken({ nonce: 'injected' }),
      })
    await expectCode(
      oauth
        .create('idp')
        .authorizeAccessToken({ cookies: second.cookies, request: new Request(callback) }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('keeps only a same-origin relative returnTo', async () => {
    const app = registry().create('idp')
    expect(
      (await app.createAuthorizationUrl(REDIRECT, { returnTo: '/dash?x=1' })).transaction.returnTo,
    ).toBe('/dash?x=1')
    for (const bad of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      expect(
        (await app.createAuthorizationUrl(REDIRECT, { returnTo: bad })).transaction.returnTo,
      ).toBeUndefined()
    }
  })
})

describe('authorizeAccessToken', () => {
  it('exchanges the code, validates the ID token, returns wire names and calls updateToken once', async () => {
    const { oauth, cookies, location } = await startLogin()
    const callback = idp.authorize(location)
    const token = await oauth
      .create('idp')
      .authorizeAccessToken({ cookies, request: new Request(callback) })
    expect(token.access_token).toMatch(/^at-/)
    expect(token.refresh_token).toMatch(/^rt-/)
    expect(token.token_type).toBe('bearer')
    expect(token.expires_at).toBeGreaterThan(Date.now() / 1000 + 3500)
    expect(token.userinfo?.sub).toBe('user-1')
    expect(updates).toEqual([token])
    expect(reasons).toEqual(['login'])
    // The transaction is gone: the same callback again is refused.
    await expectCode(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('lets logins started in several tabs all finish', async () => {
    const oauth = registry()
    const cookies = new MemoryCookieJar()
    const a = await startLogin(oauth, cookies)
    const b = await startLogin(oauth, cookies)
    const cbB = idp.authorize(b.location)
    const cbA = idp.authorize(a.location)
    await expect(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(cbB) }),
    ).resolves.toHaveProperty('access_token')
    await expect(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(cbA) }),
    ).resolves.toHaveProperty('access_token')
  })

  it('reads a form_post callback body', async () => {
    const oauth = new OAuth({ secret: SECRET }).register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid',
      responseMode: 'form_post',
    })
    const cookies = new MemoryCookieJar()
    const res = await oauth.create('idp').authorizeRedirect({ cookies }, REDIRECT)
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('response_mode')).toBe('form_post')
    expect(cookies.setCookieHeaders()[0]).toMatch(/SameSite=None/)
    const callback = idp.authorize(location)
    const request = new Request(REDIRECT, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: callback.searchParams.toString(),
    })
    await expect(
      oauth.create('idp').authorizeAccessToken({ cookies, request }),
    ).resolves.toHaveProperty('id_token')
  })

  const rejections: Array<[string, string, (cb: URL) => URL | void]> = [
    [
      'a provider error, keeping its fields',
      ErrorCode.AUTHORIZATION_ERROR,
      (cb) => {
        cb.searchParams.delete('code')
        cb.searchParams.set('error', 'server_error')
        cb.searchParams.set('error_description', 'try later')
      },
    ],
    [
      'access_denied',
      ErrorCode.ACCESS_DENIED,
      (cb) => {
        cb.searchParams.delete('code')
        cb.searchParams.set('error', 'access_denied')
      },
    ],
    ['a missing state', ErrorCode.STATE_MISSING, (cb) => void cb.searchParams.delete('state')],
    [
      'an unknown state',
      ErrorCode.TRANSACTION_NOT_FOUND,
      (cb) => void cb.searchParams.set('state', 'x'.repeat(43)),
    ],
    [
      'a repeated state',
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      (cb) => void cb.searchParams.append('state', cb.searchParams.get('state')!),
    ],
    [
      'a wrong iss (RFC 9207)',
      ErrorCode.ISSUER_MISMATCH,
      (cb) => void cb.searchParams.set('iss', 'https://evil.test'),
    ],
    [
      'a missing iss when advertised',
      ErrorCode.ISSUER_MISSING,
      (cb) => void cb.searchParams.delete('iss'),
    ],
    [
      'an error carrying a wrong iss',
      ErrorCode.ISSUER_MISMATCH,
      (cb) => {
        cb.searchParams.set('iss', 'https://evil.test')
        cb.searchParams.set('error', 'access_denied')
      },
    ],
  ]
  for (const [what, code, edit] of rejections) {
    it(`rejects ${what} with ${code}, calls no token endpoint and deletes the transaction`, async () => {
      const { oauth, cookies, location } = await startLogin()
      const callback = idp.authorize(location)
      edit(callback)
      const err = await expectCode(
        oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
        code,
      )
      if (code === ErrorCode.AUTHORIZATION_ERROR) {
        expect(err).toMatchObject({ error: 'server_error', errorDescription: 'try later' })
      }
      expect(idp.endpointCalls('token')).toBe(0)
      expect(updates).toHaveLength(0)
      // The transaction is consumed unless the callback never named it (no state, or an unknown one).
      expect(cookies.getAll().filter((c) => c.name.startsWith('__Host-oauthkit.tx.'))).toHaveLength(
        code === ErrorCode.TRANSACTION_NOT_FOUND || code === ErrorCode.STATE_MISSING ? 1 : 0,
      )
    })
  }

  it('rejects an expired transaction', async () => {
    const oauth = new OAuth({ secret: SECRET, transactionTtl: 0 }).register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid',
    })
    const { cookies, location } = await startLogin(oauth)
    const callback = idp.authorize(location)
    await new Promise((r) => setTimeout(r, 5))
    await expectCode(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TRANSACTION_EXPIRED,
    )
    expect(idp.endpointCalls('token')).toBe(0)
  })

  it('rejects a tampered or truncated transaction cookie', async () => {
    for (const mangle of [
      (v: string) => v.slice(0, -10),
      // The last character (in its unused bits too: 'A' and 'B' decode alike there) and one inside.
      (v: string) => v.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      (v: string) => v.replace(/.$/, (c) => (c === 'A' ? 'D' : c === 'B' ? 'C' : 'A')),
      (v: string) => {
        const i = Math.floor(v.length * 0.75)
        return v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1)
      },
      () => 'garbage',
    ]) {
      const { oauth, cookies, location } = await startLogin()
      const [entry] = cookies.getAll()
      cookies.set(entry!.name, mangle(entry!.value))
      await expectCode(
        oauth
          .create('idp')
          .authorizeAccessToken({ cookies, request: new Request(idp.authorize(location)) }),
        ErrorCode.TRANSACTION_INVALID,
      )
    }
    expect(idp.endpointCalls('token')).toBe(0)
  })

  it('rejects a transaction sealed by a registry with another secret', async () => {
    const { cookies, location } = await startLogin()
    const other = new OAuth({ secret: 'another-secret-also-at-least-32-characters' }).register(
      'idp',
      {
        serverMetadataUrl: idp.discoveryUrl,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        scope: 'openid email',
      },
    )
    await expectCode(
      other
        .create('idp')
        .authorizeAccessToken({ cookies, request: new Request(idp.authorize(location)) }),
      ErrorCode.TRANSACTION_INVALID,
    )
  })

  it('rejects a callback routed to another registered app (mix-up)', async () => {
    const oauth = registry().register('other', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid',
    })
    const { cookies, location } = await startLogin(oauth)
    await expectCode(
      oauth
        .create('other')
        .authorizeAccessToken({ cookies, request: new Request(idp.authorize(location)) }),
      ErrorCode.APP_MISMATCH,
    )
    expect(idp.endpointCalls('token')).toBe(0)
  })

  it('refuses a replayed callback even when the cookie is replayed too', async () => {
    const { oauth, cookies, location } = await startLogin()
    const callback = idp.authorize(location)
    const [entry] = cookies.getAll()
    await oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) })
    cookies.set(entry!.name, entry!.value)
    await expectCode(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('rejects a state from another browser', async () => {
    const { oauth, location } = await startLogin()
    await expectCode(
      oauth.create('idp').authorizeAccessToken({
        cookies: new MemoryCookieJar(),
        request: new Request(idp.authorize(location)),
      }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  const idTokenCases: Array<[string, Record<string, unknown>, { kid?: string; alg?: string }?]> = [
    ['a wrong nonce', { nonce: 'other' }],
    ['a wrong aud', { aud: 'someone-else' }],
    ['a wrong iss', { iss: 'https://evil.test' }],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 3600 }],
  ]
  for (const [what, claims] of idTokenCases) {
    it(`rejects an ID token with ${what}, returns no token and calls neither updateToken nor userinfo`, async () => {
      const { oauth, cookies, location } = await startLogin()
      const callback = idp.authorize(location)
      const nonce = location.searchParams.get('nonce')!
      idp.overrides.token = async () =>
        Response.json({
          access_token: 'at',
          token_type: 'Bearer',
          id_token: await idp.idToken({ nonce, ...claims }),
        })
      await expectCode(
        oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
        ErrorCode.ID_TOKEN_INVALID,
      )
      expect(updates).toHaveLength(0)
      expect(idp.endpointCalls('userinfo')).toBe(0)
    })
  }

  it('rejects an ID token whose signature does not verify', async () => {
    const { oauth, cookies, location } = await startLogin()
    const callback = idp.authorize(location)
    const nonce = location.searchParams.get('nonce')!
    const forged = await FakeIdp.create() // same kid, other key
    idp.overrides.token = async () =>
      Response.json({
        access_token: 'at',
        token_type: 'Bearer',
        id_token: await forged.idToken({ iss: idp.issuer, aud: idp.clientId, nonce }),
      })
    const err = await expectCode(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    expect(err.message).toMatch(/signature/)
    expect(updates).toHaveLength(0)
  })

  it('accepts a key rotated in after the JWKS was cached, by refetching the JWKS once', async () => {
    const oauth = registry()
    const first = await startLogin(oauth)
    await oauth.create('idp').authorizeAccessToken({
      cookies: first.cookies,
      request: new Request(idp.authorize(first.location)),
    })
    expect(idp.endpointCalls('jwks')).toBe(1)
    await idp.addKey('key-2', 'ES256')
    const second = await startLogin(oauth)
    const callback = idp.authorize(second.location)
    const nonce = second.location.searchParams.get('nonce')!
    idp.overrides.token = async () =>
      Response.json({
        access_token: 'at',
        token_type: 'Bearer',
        id_token: await idp.idToken({ nonce }, { kid: 'key-2' }),
      })
    await oauth
      .create('idp')
      .authorizeAccessToken({ cookies: second.cookies, request: new Request(callback) })
    expect(idp.endpointCalls('jwks')).toBe(2)
    expect(idp.endpointCalls('discovery')).toBe(1)
  })

  it('never puts the code, verifier or tokens in an error message', async () => {
    const { oauth, cookies, location } = await startLogin()
    const callback = idp.authorize(location)
    idp.overrides.token = async () =>
      Response.json({
        access_token: 'secret-access-token',
        token_type: 'Bearer',
        refresh_token: 'secret-refresh',
        id_token: 'not.a.jwt',
      })
    const err = await expectCode(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    const text = `${err.message} ${String((err as { cause?: Error }).cause?.message)} ${JSON.stringify(err)}`
    for (const secret of [
      'secret-access-token',
      'secret-refresh',
      callback.searchParams.get('code')!,
      idp.clientSecret,
    ])
      expect(text).not.toContain(secret)
  })
})

describe('bind', () => {
  it('binds the registry to one request: no ctx to pass, and returnTo comes back', async () => {
    const oauth = registry()
    const cookies = new MemoryCookieJar()
    const res = await oauth
      .bind({ cookies })
      .create('idp')
      .authorizeRedirect(REDIRECT, { returnTo: '/after?tab=2' })
    const request = new Request(idp.authorize(res.headers.get('location')!))
    const done = await oauth.bind({ cookies, request }).create('idp').completeAuthorization()
    expect(done.returnTo).toBe('/after?tab=2')
    expect(done.token.userinfo?.sub).toBe('user-1')
    expect(oauth.bind({ cookies }).names()).toEqual(['idp'])
  })
})

describe('userinfo', () => {
  it('returns the claims and rejects a sub that differs from the ID token', async () => {
    const { oauth, cookies, location } = await startLogin()
    const token = await oauth
      .create('idp')
      .authorizeAccessToken({ cookies, request: new Request(idp.authorize(location)) })
    idp.userinfoClaims = { sub: 'user-1', email: 'user@example.test' }
    expect(await oauth.create('idp').userinfo(token)).toMatchObject({ email: 'user@example.test' })
    idp.userinfoClaims = { sub: 'someone-else' }
    await expectCode(oauth.create('idp').userinfo(token), ErrorCode.USERINFO_INVALID)
  })
})
