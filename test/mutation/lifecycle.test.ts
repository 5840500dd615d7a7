/**
 * The token lifecycle of an OAuth 2 app (src/oauth2/token-lifecycle.ts), what the lifecycle, hostile
 * refresh and API tests leave unpinned: the header-only path, which 401 challenges earn a refresh,
 * `persist: false`, the lock's lease (fencing, `lock_lost`), the request context handed to
 * `updateToken`, the window of recent refreshes and its bound, what a refreshed token keeps, and the
 * messages and fields of the refusals.
 */
import { decodeProtectedHeader } from 'jose'
import { http, HttpResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ErrorCode,
  OAuth,
  type LockFunction,
  type LockLease,
  type OAuth2AppConfig,
  type OAuth2Token,
  type OAuthOptions,
  type UpdateTokenInfo,
} from '../../src/index.js'
import type { OAuth2Endpoints } from '../../src/oauth2/endpoints.js'
import { newDPoPKey } from '../../src/oauth2/dpop.js'
import { TokenLifecycle } from '../../src/oauth2/token-lifecycle.js'
import { expectCode, SECRET, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'

const server = useMsw()
const API = 'https://api.test'
const TOKEN_URL = 'https://idp.test/token'

let tokenCalls: URLSearchParams[]
let seen: string[]
let challenge: string
/** The token endpoint's answer to the nth call (1-based); a JSON body or a whole response. */
let answer: (n: number) => Record<string, unknown> | Response
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
  tokenCalls = []
  seen = []
  challenge = 'Bearer error="invalid_token"'
  answer = (n) => ({
    access_token: `at-new-${n}`,
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: `rt-new-${n}`,
  })
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      tokenCalls.push(new URLSearchParams(await request.text()))
      const body = answer(tokenCalls.length)
      return body instanceof Response ? body : HttpResponse.json(body)
    }),
    http.get(`${API}/me`, ({ request }) => {
      const auth = request.headers.get('authorization') ?? ''
      seen.push(auth)
      return auth === 'Bearer revoked'
        ? new HttpResponse(null, { status: 401, headers: { 'www-authenticate': challenge } })
        : HttpResponse.json({ auth })
    }),
  )
})
afterEach(() => vi.useRealTimers())

const now = () => Math.floor(Date.now() / 1000)
/** The app `api` and what its `updateToken` was given. */
function app(config: Partial<OAuth2AppConfig> = {}, registry: Partial<OAuthOptions> = {}) {
  const updates: [OAuth2Token, UpdateTokenInfo][] = []
  const a = new OAuth({
    secret: SECRET,
    updateToken: (_name, token, info) => void updates.push([token as OAuth2Token, info]),
    ...registry,
  })
    .register('api', {
      clientId: 'c',
      clientSecret: 's',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: TOKEN_URL,
      apiBaseUrl: API,
      ...config,
    })
    .create('api')
  return Object.assign(a, { updates })
}
const token = (expiresIn: number, extra: Partial<OAuth2Token> = {}): OAuth2Token => ({
  access_token: 'at-old',
  token_type: 'Bearer',
  refresh_token: 'rt-old',
  expires_at: now() + expiresIn,
  ...extra,
})
/** The lifecycle alone, for what the API client asks it synchronously. */
function lifecycle(config: Partial<OAuth2AppConfig> = {}) {
  const endpoints = { name: 'api', config } as unknown as OAuth2Endpoints
  return new TokenLifecycle(endpoints, async () => undefined, undefined, () => false)
}

describe('header and authorize', () => {
  it('header() gives the Bearer header for a Bearer token in any case, else nothing', () => {
    const lc = lifecycle()
    expect(lc.header(token(3600))).toBe('Bearer at-old')
    expect(lc.header(token(3600, { token_type: 'bearer' }))).toBe('Bearer at-old')
    expect(lc.header(token(3600, { token_type: undefined as unknown as string }))).toBeUndefined()
    expect(lc.header(token(3600, { token_type: 'DPoP' }))).toBeUndefined()
    expect(lc.header(token(3600, { access_token: '' }))).toBeUndefined()
    expect(lc.header(token(3600, { access_token: undefined as unknown as string }))).toBeUndefined()
    expect(lifecycle({ tokenPlacement: 'uri' }).header(token(3600))).toBeUndefined()
  })

  it('authorize refuses a token without an access_token: token_missing, with its message and app', () => {
    const lc = lifecycle()
    for (const access_token of [undefined, '']) {
      let error: unknown
      try {
        lc.authorize(
          new Request(`${API}/me`),
          token(3600, { access_token: access_token as unknown as string }),
        )
      } catch (e) {
        error = e
      }
      expect(error).toMatchObject({
        code: ErrorCode.TOKEN_MISSING,
        message: 'api: the token has no access_token',
        app: 'api',
      })
    }
  })

  it('a token type other than Bearer or DPoP is unsupported_token_type, with its message and app', async () => {
    const err = await expectCode(
      app().get('me', { token: token(3600, { token_type: 'MAC' }) }).json(),
      ErrorCode.UNSUPPORTED_TOKEN_TYPE,
    )
    expect(err.message).toBe(
      'api: token_type "MAC" is not supported; only Bearer tokens are sent',
    )
    expect(err.app).toBe('api')
  })

  it('a token without a token_type is unsupported_token_type too, and without an access_token token_missing: nothing is sent', async () => {
    const untyped = await expectCode(
      app()
        .get('me', { token: token(3600, { token_type: undefined as unknown as string }) })
        .json(),
      ErrorCode.UNSUPPORTED_TOKEN_TYPE,
    )
    expect(untyped.message).toBe(
      'api: token_type "undefined" is not supported; only Bearer tokens are sent',
    )
    await expectCode(
      app()
        .get('me', { token: token(3600, { access_token: undefined as unknown as string }) })
        .json(),
      ErrorCode.TOKEN_MISSING,
    )
    expect(seen).toEqual([])
  })
})

describe('which 401 earns a refresh', () => {
  const call = async (header: string) => {
    challenge = header
    tokenCalls = []
    seen = []
    const res = await app().get('me', { token: token(3600, { access_token: 'revoked' }), throwHttpErrors: false })
    return { status: res.status, refreshed: tokenCalls.length }
  }

  it('error=invalid_token with spaces around "=", quoted or not', async () => {
    for (const header of [
      'Bearer error = "invalid_token"',
      'Bearer error= "invalid_token"',
      'Bearer error=invalid_token',
      'Bearer error="invalid_token',
      'Bearer error = invalid_token',
    ])
      expect(await call(header), header).toEqual({ status: 200, refreshed: 1 })
  })

  it('only a Bearer or DPoP challenge, as its scheme, not a word inside another', async () => {
    for (const header of [
      'NotBearer error="invalid_token"',
      'Basic realm="bearer", error="invalid_token"',
    ])
      expect(await call(header), header).toEqual({ status: 401, refreshed: 0 })
  })

  it('hands the call context to updateToken, and to a client_credentials app fetching its first token', async () => {
    const ctx = { req: 'r-1' }
    const a = app()
    challenge = 'Bearer error="invalid_token"'
    await a.get('me', { token: token(3600, { access_token: 'revoked' }), ctx }).json()
    expect(a.updates.map(([, info]) => info.ctx)).toEqual([ctx])

    const cc = app({ grantType: 'client_credentials' })
    await cc.get('me', { ctx }).json()
    await cc.refreshToken(token(3600, { access_token: 'at-cc' }), { ctx })
    expect(cc.updates.map(([, info]) => [info.reason, info.ctx])).toEqual([
      ['client_credentials', ctx],
      ['client_credentials', ctx],
    ])
  })
})

describe('refresh', () => {
  it('without a refresh_token is reauthentication_required, with its message and app, and nothing sent', async () => {
    const a = app()
    const err = await expectCode(
      a.refreshToken(token(-10, { refresh_token: undefined })),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    expect(err.message).toBe(
      'api: the token expired and has no refresh_token; sign the user in again',
    )
    expect(err.app).toBe('api')
    expect(tokenCalls).toHaveLength(0)
  })

  it('hands updateToken the new token, the old tokens and the context; a rotated refresh_token is kept', async () => {
    const a = app()
    const ctx = { req: 'r-2' }
    const fresh = await a.refreshToken(token(-10), { ctx })
    expect(fresh.refresh_token).toBe('rt-new-1')
    expect('dpop_jwk' in fresh).toBe(false)
    expect(a.updates).toEqual([
      [fresh, { reason: 'refresh', ctx, refreshToken: 'rt-old', accessToken: 'at-old' }],
    ])
  })

  it('persist: false sends every call to the provider and stores nothing', async () => {
    const a = app()
    const old = token(-10)
    expect((await a.refreshToken(old, { persist: false })).access_token).toBe('at-new-1')
    expect((await a.refreshToken(old, { persist: false })).access_token).toBe('at-new-2')
    expect(a.updates).toEqual([])
    expect(tokenCalls.map((b) => b.get('grant_type'))).toEqual(['refresh_token', 'refresh_token'])
  })

  it('persist: false on a client_credentials app still fetches a client_credentials token', async () => {
    const a = app({ grantType: 'client_credentials' })
    const fresh = await a.refreshToken(token(-10, { refresh_token: undefined }), {
      persist: false,
    })
    expect(fresh.access_token).toBe('at-new-1')
    expect(tokenCalls.map((b) => b.get('grant_type'))).toEqual(['client_credentials'])
  })

  it('a refused refresh names the cause in its message and hides the tokens and secret the provider echoes', async () => {
    answer = () =>
      HttpResponse.json(
        { error: 'invalid_grant', error_description: 'rt-old of at-old with s3cret-client' },
        { status: 400 },
      )
    const a = app({ clientSecret: 's3cret-client' })
    const err = await expectCode(a.refreshToken(token(-10)), ErrorCode.REAUTHENTICATION_REQUIRED)
    const cause = err.cause as { code: string; errorDescription?: string }
    expect(err.message).toBe(
      `api: the token could not be refreshed (${cause.code}: invalid_grant); sign the user in again`,
    )
    expect(err).toMatchObject({ app: 'api', error: 'invalid_grant', status: 400 })
    expect(cause.errorDescription).toBeDefined()
    for (const secret of ['rt-old', 'at-old', 's3cret-client'])
      expect(cause.errorDescription).not.toContain(secret)

    answer = () => new HttpResponse('down', { status: 503 })
    const plain = await expectCode(a.refreshToken(token(-10)), ErrorCode.REAUTHENTICATION_REQUIRED)
    expect(plain.message).toBe(
      `api: the token could not be refreshed (${(plain.cause as { code: string }).code}); sign the user in again`,
    )
  })
})

describe('the DPoP key a refresh proves', () => {
  /** The public JWK in the DPoP proof of each token request (undefined: none sent). */
  let proofs: Array<Record<string, unknown> | undefined>
  beforeEach(() => {
    proofs = []
    server.use(
      http.post(TOKEN_URL, ({ request }) => {
        const proof = request.headers.get('dpop')
        proofs.push(proof ? (decodeProtectedHeader(proof).jwk as Record<string, unknown>) : undefined)
        return HttpResponse.json({ access_token: 'at-new', token_type: 'DPoP', expires_in: 3600 })
      }),
    )
  })

  it("a token that carries a DPoP key proves that key, even when typed Bearer and the app's dpop is off", async () => {
    const { jwk } = await newDPoPKey()
    const fresh = await app().refreshToken(token(3600, { dpop_jwk: jwk }))
    expect(proofs).toEqual([{ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }])
    expect(fresh.dpop_jwk).toEqual(jwk)
  })

  it('a Bearer token without a key, for an app that turned dpop on since: a new key', async () => {
    const fresh = await app({ dpop: true }).refreshToken(token(3600))
    expect(proofs).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256' })])
    expect(fresh.dpop_jwk).toMatchObject({ x: proofs[0]!.x, y: proofs[0]!.y })
    // With dpop off, no proof.
    await app().refreshToken(token(3600, { refresh_token: 'rt-2' }))
    expect(proofs).toHaveLength(2)
    expect(proofs[1]).toBeUndefined()
  })

  it('a 401 asking for a DPoP nonce is retried for a DPoP token only: a Bearer call is answered as it is', async () => {
    let calls = 0
    server.use(
      http.get(`${API}/nonce`, () => {
        calls += 1
        return new HttpResponse(null, {
          status: 401,
          headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n-1' },
        })
      }),
    )
    const res = await app().get('nonce', { token: token(3600), throwHttpErrors: false })
    expect(res.status).toBe(401)
    expect(calls).toBe(1)
  })
})

describe('the lock lease', () => {
  const leased =
    (held: boolean, fence = { key: 'fence-key', token: 7 }): LockFunction =>
    (_key, fn) =>
      fn({ fence, held: async () => held } as LockLease)

  it('hands the lease fence to updateToken while the lease holds', async () => {
    const a = app({}, { lock: leased(true), fetchToken: () => undefined })
    await a.refreshToken(token(-10))
    expect(a.updates.map(([, info]) => info.fence)).toEqual([{ key: 'fence-key', token: 7 }])
  })

  it('a lease that ran out is lock_lost, with its message and app, and nothing stored', async () => {
    const a = app({}, { lock: leased(false), fetchToken: () => undefined })
    const err = await expectCode(a.refreshToken(token(-10)), ErrorCode.LOCK_LOST)
    expect(err.message).toBe(
      "api: the refresh lock's lease ran out and another process took it over; this process's refreshed token is not stored",
    )
    expect(err.app).toBe('api')
    expect(a.updates).toEqual([])
  })

  it('after lock_lost, the token the new holder stored is the answer', async () => {
    let reads = 0
    const other = token(3600, { access_token: 'at-other', refresh_token: 'rt-other' })
    const a = app({}, { lock: leased(false), fetchToken: () => (reads++ === 0 ? undefined : other) })
    expect(await a.refreshToken(token(-10))).toEqual(other)
    expect(a.updates).toEqual([])
  })

  it('a refresh that fails otherwise fails, even when the store holds another usable token', async () => {
    let reads = 0
    const other = token(3600, { access_token: 'at-other', refresh_token: 'rt-other' })
    answer = () => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 })
    const a = app({}, { lock: leased(true), fetchToken: () => (reads++ === 0 ? undefined : other) })
    await expectCode(a.refreshToken(token(-10)), ErrorCode.REAUTHENTICATION_REQUIRED)
  })
})

describe('recent refreshes', () => {
  /** Refresh the expired token whose refresh token is `rt`; true when it was sent to the provider. */
  const refresh = async (a: ReturnType<typeof app>, rt: string) => {
    const before = tokenCalls.length
    await a.refreshToken(token(-10, { refresh_token: rt }))
    return tokenCalls.length > before
  }

  it('keeps each refresh token\'s result, not only the last one', async () => {
    const a = app()
    expect(await refresh(a, 'rt-a')).toBe(true)
    expect(await refresh(a, 'rt-b')).toBe(true)
    expect(await refresh(a, 'rt-a')).toBe(false)
  })

  it('keeps at most 1001 results, dropping the oldest', async () => {
    const a = app()
    for (let i = 1; i <= 1001; i++) await refresh(a, `rt-${i}`)
    expect(await refresh(a, 'rt-1')).toBe(false)
    expect(await refresh(a, 'rt-1002')).toBe(true)
    expect(await refresh(a, 'rt-2')).toBe(false)
    expect(await refresh(a, 'rt-1')).toBe(true)
  }, 60_000)

  it('drops results 60 s old, so the bound does not evict a fresh one for them', async () => {
    for (const age of [60_000, 61_000]) {
      const a = app()
      // 1000 results, all of them `age` old; rt-1 refreshed again is the oldest entry if they stay.
      for (let i = 1; i <= 1000; i++) await refresh(a, `rt-${i}`)
      vi.setSystemTime(Date.now() + age)
      expect(await refresh(a, 'rt-1')).toBe(true)
      expect(await refresh(a, 'rt-x')).toBe(true)
      expect(await refresh(a, 'rt-y')).toBe(true)
      expect(await refresh(a, 'rt-1'), `after ${age} ms`).toBe(false)
    }
  }, 120_000)
})

describe('a refreshed ID token', () => {
  async function signedIn() {
    const r = await hostileRig(server, { config: { apiBaseUrl: API } })
    const login = await r.start()
    const signed = await r.signIn(login, r.idp.authorize(login.location))
    return { r, expired: { ...signed, expires_at: now() - 10 } satisfies OAuth2Token }
  }

  it('replaces the userinfo with its claims; without one, the old userinfo is kept', async () => {
    const { r, expired } = await signedIn()
    r.idp.answerRefresh(async () => ({
      access_token: 'at-2',
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: 'rt-2', // a new one, so the next refresh is not the recent result of this one
      id_token: await r.idp.idToken({ name: 'New Name' }),
    }))
    const fresh = await r.app.refreshToken(expired)
    expect(fresh.userinfo).toMatchObject({ sub: expired.userinfo!.sub, name: 'New Name' })

    r.idp.answerRefresh(() => ({ access_token: 'at-3', token_type: 'Bearer', expires_in: 3600 }))
    const plain = await r.app.refreshToken({ ...fresh, expires_at: now() - 10 })
    expect(plain.userinfo).toEqual(fresh.userinfo)
  })

  it('for another subject: the cause is id_token_invalid naming the app', async () => {
    const { r, expired } = await signedIn()
    r.idp.answerRefresh(async () => ({
      access_token: 'at-2',
      token_type: 'Bearer',
      id_token: await r.idp.idToken({ sub: 'user-2' }),
    }))
    const err = await expectCode(r.app.refreshToken(expired), ErrorCode.REAUTHENTICATION_REQUIRED)
    expect(err.cause).toMatchObject({
      code: ErrorCode.ID_TOKEN_INVALID,
      message: 'idp: the refreshed ID token names another issuer or subject',
      app: 'idp',
    })
  })
})
