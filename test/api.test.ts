/**
 * Authenticated API calls and refresh, against provider endpoints emulated with msw.
 */
import { HTTPError } from 'ky'
import { http, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  OAuth,
  type OAuth2AppConfig,
  type OAuth2Token,
  type UpdateTokenInfo,
} from '../src/index.js'
import { SECRET, expectCode, useMsw } from './support/helpers.js'

const server = useMsw()
const API = 'https://api.test/v1'
const TOKEN_URL = 'https://idp.test/token'

let apiCalls: Request[]
let tokenCalls: URLSearchParams[]
let updates: Array<[OAuth2Token, UpdateTokenInfo]>
let nextRefresh: (n: number) => Response | Promise<Response>
let validTokens: Set<string>

beforeEach(() => {
  apiCalls = []
  tokenCalls = []
  updates = []
  validTokens = new Set(['at-valid', 'at-expired'])
  nextRefresh = (n) =>
    HttpResponse.json({
      access_token: `at-new-${n}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `rt-new-${n}`,
    })
  server.use(
    http.all(`${API}/*`, ({ request }) => {
      apiCalls.push(request)
      const auth = request.headers.get('authorization') ?? ''
      const token =
        auth.replace(/^Bearer /, '') || new URL(request.url).searchParams.get('access_token') || ''
      if (!validTokens.has(token) && !token.startsWith('at-new-')) {
        return new HttpResponse(null, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        })
      }
      return HttpResponse.json({ path: new URL(request.url).pathname, token })
    }),
    http.post(TOKEN_URL, async ({ request }) => {
      const body = new URLSearchParams(await request.text())
      tokenCalls.push(body)
      // A little latency so concurrent callers overlap.
      await new Promise((r) => setTimeout(r, 20))
      return nextRefresh(tokenCalls.length)
    }),
  )
})

function app(
  extra: Partial<OAuth2AppConfig> = {},
  options: { fetchToken?: () => OAuth2Token | undefined } = {},
) {
  return new OAuth({
    secret: SECRET,
    fetchToken: options.fetchToken,
    updateToken: (_n, t: OAuth2Token, info) => void updates.push([t, info]),
  })
    .register('api', {
      clientId: 'c',
      clientSecret: 's',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: TOKEN_URL,
      apiBaseUrl: API,
      ...extra,
    })
    .create('api')
}

const now = () => Math.floor(Date.now() / 1000)
const fresh = (): OAuth2Token => ({
  access_token: 'at-valid',
  token_type: 'Bearer',
  refresh_token: 'rt-1',
  expires_at: now() + 3600,
})
const expired = (): OAuth2Token => ({
  access_token: 'at-expired',
  token_type: 'bearer',
  refresh_token: 'rt-1',
  expires_at: now() - 10,
})

describe('authenticated requests', () => {
  it('joins relative URLs to apiBaseUrl with or without a leading slash and sends a Bearer header', async () => {
    const a = app()
    expect(await a.get('users/me', { token: fresh() }).json()).toEqual({
      path: '/v1/users/me',
      token: 'at-valid',
    })
    expect(await a.get('/users/me', { token: fresh() }).json()).toEqual({
      path: '/v1/users/me',
      token: 'at-valid',
    })
    expect(apiCalls[0]!.headers.get('authorization')).toBe('Bearer at-valid')
    expect(new URL(apiCalls[0]!.url).search).toBe('')
  })

  it('supports every verb and keeps ky options and hooks', async () => {
    const a = app()
    const seen: string[] = []
    for (const verb of ['post', 'put', 'patch', 'delete'] as const) {
      await a[verb]('things', {
        token: fresh(),
        json: { a: 1 },
        searchParams: { q: verb },
        hooks: { beforeRequest: [(r) => void seen.push(r.method)] },
      }).json()
    }
    expect(apiCalls.map((r) => `${r.method} ${new URL(r.url).search}`)).toEqual([
      'POST ?q=post',
      'PUT ?q=put',
      'PATCH ?q=patch',
      'DELETE ?q=delete',
    ])
    expect(seen).toEqual(['POST', 'PUT', 'PATCH', 'DELETE'])
  })

  it('matches token_type case-insensitively and refuses a type it does not understand without sending anything', async () => {
    const a = app()
    for (const type of ['bearer', 'BEARER', 'Bearer'])
      await a.get('x', { token: { ...fresh(), token_type: type } })
    await expectCode(
      a.get('x', { token: { ...fresh(), token_type: 'mac' } }),
      ErrorCode.UNSUPPORTED_TOKEN_TYPE,
    )
    expect(apiCalls).toHaveLength(3)
  })

  it('reads the token with fetchToken when none is passed, and says so when there is none', async () => {
    const ctxSeen: unknown[] = []
    const oauth = new OAuth({
      secret: SECRET,
      fetchToken: (_n, ctx) => (ctxSeen.push(ctx), fresh()),
    }).register('api', {
      clientId: 'c',
      authorizeUrl: 'https://idp.test/a',
      accessTokenUrl: TOKEN_URL,
      apiBaseUrl: API,
    })
    const ctx = { cookies: { get: () => undefined, set() {}, delete() {} } }
    expect(await oauth.create('api').get('me', { ctx }).json()).toMatchObject({ token: 'at-valid' })
    expect(ctxSeen).toEqual([ctx])
    await expectCode(app().get('me'), ErrorCode.TOKEN_MISSING)
  })

  it('puts the token in the query only when the app asks for it', async () => {
    await app({ tokenPlacement: 'uri' }).get('me', { token: fresh() }).json()
    expect(new URL(apiCalls[0]!.url).searchParams.get('access_token')).toBe('at-valid')
    expect(apiCalls[0]!.headers.get('authorization')).toBeNull()
  })

  it('runs protectedRequest hooks on every call (Twitch wants a Client-Id header)', async () => {
    const a = app({
      hooks: {
        protectedRequest: [
          (r) => void r.headers.set('client-id', 'c'),
          (r) => new Request(r, { headers: { ...Object.fromEntries(r.headers), 'x-second': '1' } }),
        ],
      },
    })
    await a.get('me', { token: fresh() })
    expect(apiCalls[0]!.headers.get('client-id')).toBe('c')
    expect(apiCalls[0]!.headers.get('x-second')).toBe('1')
    expect(apiCalls[0]!.headers.get('authorization')).toBe('Bearer at-valid')
  })
})

describe('refresh', () => {
  it('refreshes a token expiring within the leeway before the call and calls updateToken once', async () => {
    const a = app()
    const token = { ...fresh(), expires_at: now() + 30 } // inside the default 60 s leeway
    expect(await a.get('me', { token }).json()).toMatchObject({ token: 'at-new-1' })
    expect(tokenCalls).toHaveLength(1)
    expect(tokenCalls[0]!.get('grant_type')).toBe('refresh_token')
    expect(tokenCalls[0]!.get('refresh_token')).toBe('rt-1')
    expect(updates).toHaveLength(1)
    expect(updates[0]![0]).toMatchObject({
      access_token: 'at-new-1',
      refresh_token: 'rt-new-1',
      token_type: 'bearer',
    })
    expect(updates[0]![1]).toMatchObject({
      reason: 'refresh',
      refreshToken: 'rt-1',
      accessToken: 'at-valid',
    })
  })

  it('keeps the old refresh_token when the response has none', async () => {
    nextRefresh = () =>
      HttpResponse.json({ access_token: 'at-new-x', token_type: 'Bearer', expires_in: 60 * 60 })
    await app().get('me', { token: expired() })
    expect(updates[0]![0].refresh_token).toBe('rt-1')
  })

  it('shares one refresh and one updateToken among 50 concurrent calls with an expired token', async () => {
    const a = app()
    const token = expired()
    const results = await Promise.all(
      Array.from({ length: 50 }, () => a.get('me', { token }).json<{ token: string }>()),
    )
    expect(new Set(results.map((r) => r.token))).toEqual(new Set(['at-new-1']))
    expect(tokenCalls).toHaveLength(1)
    expect(updates).toHaveLength(1)
  })

  it('refreshes once and retries once on 401 invalid_token, and never loops', async () => {
    const a = app()
    validTokens.delete('at-valid') // the provider revoked it early
    expect(await a.get('me', { token: fresh() }).json()).toMatchObject({ token: 'at-new-1' })
    expect(apiCalls).toHaveLength(2)
    expect(tokenCalls).toHaveLength(1)
    // A provider that keeps refusing: one refresh, one retry, then the 401 surfaces.
    apiCalls = []
    tokenCalls = []
    nextRefresh = () =>
      HttpResponse.json({ access_token: 'at-still-bad', token_type: 'Bearer', expires_in: 3600 })
    const err = await a.get('me', { token: { ...fresh(), refresh_token: 'rt-2' } }).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as { response?: Response }).response?.status).toBe(401)
    expect(apiCalls).toHaveLength(2)
    expect(tokenCalls).toHaveLength(1)
  })

  it('protectedResponse hooks see every API response first: an error envelope on HTTP 200 becomes a 401 challenge, so the token is refreshed and the call retried once', async () => {
    // A provider (WeChat) that answers an expired token with HTTP 200 and { errcode: 42001 }.
    server.use(
      http.get(`${API}/envelope`, ({ request }) => {
        apiCalls.push(request)
        const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '')
        return HttpResponse.json(
          token.startsWith('at-new-') ? { ok: true, token } : { errcode: 42001, errmsg: 'expired' },
        )
      }),
    )
    const seen: number[] = []
    const a = app({
      hooks: {
        protectedResponse: [
          (response) => void seen.push(response.status),
          async (response) => {
            const body = (await response.clone().json()) as { errcode?: number }
            if (body.errcode === undefined) return response
            return new Response(null, {
              status: 401,
              headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
            })
          },
        ],
      },
    })
    expect(await a.get('envelope', { token: fresh() }).json()).toEqual({
      ok: true,
      token: 'at-new-1',
    })
    expect(apiCalls).toHaveLength(2)
    expect(tokenCalls).toHaveLength(1)
    expect(seen).toEqual([200, 200])
    // Without the hook the envelope reaches the app as a success.
    apiCalls = []
    expect(await app().get('envelope', { token: fresh() }).json()).toEqual({
      errcode: 42001,
      errmsg: 'expired',
    })
  })

  it('retries a 401 POST once with the same body and the new token', async () => {
    const seen: Array<[string | null, string]> = []
    server.use(
      http.post(`${API}/echo`, async ({ request }) => {
        const auth = request.headers.get('authorization')
        seen.push([auth, await request.text()])
        return auth === 'Bearer at-valid'
          ? new HttpResponse(null, {
              status: 401,
              headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
            })
          : HttpResponse.json({ ok: true })
      }),
    )
    expect(
      await app()
        .post('echo', { token: fresh(), json: { a: 1 } })
        .json(),
    ).toEqual({ ok: true })
    expect(seen).toEqual([
      ['Bearer at-valid', '{"a":1}'],
      ['Bearer at-new-1', '{"a":1}'],
    ])
  })

  /** The rejection of `call`, which must be ky's HTTPError for a 401. */
  async function unauthorized(call: Promise<unknown>): Promise<HTTPError> {
    const err = await call.then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(HTTPError)
    expect((err as HTTPError).response.status).toBe(401)
    return err as HTTPError
  }

  const notInvalidToken: Array<[string, Record<string, string>]> = [
    ['no WWW-Authenticate at all', {}],
    ['Bearer realm="api" (no error)', { 'www-authenticate': 'Bearer realm="api"' }],
    [
      'Bearer error="insufficient_scope"',
      { 'www-authenticate': 'Bearer realm="api", error="insufficient_scope"' },
    ],
    [
      'invalid_token in a Basic challenge',
      { 'www-authenticate': 'Basic realm="api", error="invalid_token"' },
    ],
  ]
  for (const [what, headers] of notInvalidToken) {
    it(`does not refresh on a 401 with ${what}: the 401 surfaces after one call`, async () => {
      server.use(
        http.get(
          `${API}/refused`,
          ({ request }) => (
            apiCalls.push(request),
            new HttpResponse(null, { status: 401, headers })
          ),
        ),
      )
      await unauthorized(app().get('refused', { token: fresh() }))
      expect(apiCalls).toHaveLength(1)
      expect(tokenCalls).toHaveLength(0)
      expect(updates).toHaveLength(0)
    })
  }

  it('does not refresh on 401 invalid_token when the token has no refresh_token: the 401 surfaces after one call', async () => {
    validTokens.delete('at-valid')
    await unauthorized(app().get('me', { token: { ...fresh(), refresh_token: undefined } }))
    expect(apiCalls).toHaveLength(1)
    expect(tokenCalls).toHaveLength(0)
  })

  it('refreshes at most once per call, also when ky retries a 5xx that followed the refreshed retry (401 → 503 → 401)', async () => {
    const answers = [401, 503, 401]
    server.use(
      http.get(`${API}/flaky`, ({ request }) => {
        apiCalls.push(request)
        const status = answers[apiCalls.length - 1] ?? 200
        if (status === 200) return HttpResponse.json({ ok: true })
        return new HttpResponse(null, {
          status,
          headers: status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {},
        })
      }),
    )
    await unauthorized(app().get('flaky', { token: fresh(), retry: { limit: 2, backoffLimit: 1 } }))
    expect(tokenCalls).toHaveLength(1)
    expect(updates).toHaveLength(1)
    expect(apiCalls.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer at-valid',
      'Bearer at-new-1',
      'Bearer at-new-1',
    ])
  })

  // A refreshed ID token for another subject is refused too: test/hostile/refresh.test.ts › refreshed-id-token-sub.
  const failures: Array<[string, () => Response, string | undefined, string]> = [
    [
      'invalid_grant',
      () =>
        HttpResponse.json(
          { error: 'invalid_grant', error_description: 'revoked' },
          { status: 400 },
        ),
      'invalid_grant',
      ErrorCode.TOKEN_ERROR,
    ],
    [
      'a 5xx',
      () =>
        new HttpResponse('<html>bad gateway</html>', {
          status: 502,
          headers: { 'content-type': 'text/html' },
        }),
      undefined,
      ErrorCode.HTTP_ERROR,
    ],
    ['a network failure', () => HttpResponse.error(), undefined, ErrorCode.NETWORK_ERROR],
    [
      'a refreshed ID token that is not a JWT',
      () => HttpResponse.json({ access_token: 'x', token_type: 'Bearer', id_token: 'not-a-jwt' }),
      undefined,
      ErrorCode.ID_TOKEN_INVALID,
    ],
  ]
  for (const [what, respond, providerError, causeCode] of failures) {
    it(`turns ${what} during refresh into reauthentication_required (cause ${causeCode}), with no updateToken and no API call`, async () => {
      nextRefresh = respond
      const err = await expectCode(
        app().get('me', { token: expired() }),
        ErrorCode.REAUTHENTICATION_REQUIRED,
      )
      expect(err.error).toBe(providerError)
      expect((err.cause as { code?: string }).code).toBe(causeCode)
      expect(err.message).not.toContain('rt-1')
      expect(updates).toHaveLength(0)
      expect(apiCalls).toHaveLength(0)
      expect(tokenCalls).toHaveLength(1)
    })
  }

  it('refuses to refresh an expired token that has no refresh_token', async () => {
    await expectCode(
      app().get('me', { token: { ...expired(), refresh_token: undefined } }),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    expect(tokenCalls).toHaveLength(0)
  })

  it('lets a client_credentials app fetch and renew its own token', async () => {
    nextRefresh = (n) =>
      HttpResponse.json({ access_token: `at-new-cc${n}`, token_type: 'Bearer', expires_in: 3600 })
    const store: { token?: OAuth2Token } = {}
    const a = app(
      { grantType: 'client_credentials', scope: 'api:read' },
      { fetchToken: () => store.token },
    )
    const results = await Promise.all([a.get('me').json(), a.get('me').json()])
    expect(results).toEqual([
      { path: '/v1/me', token: 'at-new-cc1' },
      { path: '/v1/me', token: 'at-new-cc1' },
    ])
    expect(tokenCalls).toHaveLength(1)
    expect(tokenCalls[0]!.get('grant_type')).toBe('client_credentials')
    expect(tokenCalls[0]!.get('scope')).toBe('api:read')
    store.token = { ...updates[0]![0], expires_at: now() - 1 }
    await a.get('me').json()
    expect(tokenCalls.map((b) => b.get('grant_type'))).toEqual([
      'client_credentials',
      'client_credentials',
    ])
  })

  it("sends the app userAgent to the token endpoint, not the protocol library's", async () => {
    const agents: Array<string | null> = []
    server.use(
      http.post(
        TOKEN_URL,
        ({ request }) => (agents.push(request.headers.get('user-agent')), nextRefresh(1)),
      ),
    )
    await app({ userAgent: 'web:my-app:1.0 (by /u/me)' }).get('me', { token: expired() })
    expect(agents).toEqual(['web:my-app:1.0 (by /u/me)'])
    expect(apiCalls[0]!.headers.get('user-agent')).toBe('web:my-app:1.0 (by /u/me)')
  })

  it('asks a clientSecret function for the secret on every token request', async () => {
    let n = 0
    const a = app({
      tokenEndpointAuthMethod: 'client_secret_post',
      clientSecret: async () => `secret-${++n}`,
    })
    await a.get('me', { token: expired() })
    await a.get('me', { token: { ...expired(), refresh_token: 'rt-other' } })
    expect(tokenCalls.map((b) => b.get('client_secret'))).toEqual(['secret-1', 'secret-2'])
  })

  it('runs refreshTokenRequest and refreshTokenResponse hooks', async () => {
    // A provider that wants client_id in the body even with Basic auth, and omits token_type on refresh.
    nextRefresh = () => HttpResponse.json({ access_token: 'at-new-h', expires_in: 3600 })
    const a = app({
      hooks: {
        refreshTokenRequest: async (r) => {
          const body = new URLSearchParams(await r.text())
          body.set('client_id', 'c')
          return new Request(r, { body })
        },
        refreshTokenResponse: async (res) => {
          const body = (await res.json()) as Record<string, unknown>
          return Response.json({ token_type: 'bearer', ...body }, { status: res.status })
        },
      },
    })
    expect(await a.get('me', { token: expired() }).json()).toMatchObject({ token: 'at-new-h' })
    expect(tokenCalls[0]!.get('client_id')).toBe('c')
  })

  it('without the refreshTokenResponse hook the same quirk is a typed error', async () => {
    nextRefresh = () => HttpResponse.json({ access_token: 'at-new-h', expires_in: 3600 })
    const err = await expectCode(
      app().get('me', { token: expired() }),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    expect((err.cause as { code: string }).code).toBe(ErrorCode.INVALID_RESPONSE)
  })
})

describe('apiBaseUrlFromToken (a token carrying its own API base: Salesforce instance_url)', () => {
  const ORG = 'https://acme.my.salesforce.test'
  let orgCalls: Request[]
  beforeEach(() => {
    orgCalls = []
    server.use(
      http.all(`${ORG}/*`, async ({ request }) => {
        orgCalls.push(request.clone())
        const auth = request.headers.get('authorization') ?? ''
        const body = request.method === 'POST' ? await request.text() : undefined
        return HttpResponse.json({ path: new URL(request.url).pathname, auth, body })
      }),
    )
  })
  const orgApp = (extra: Partial<OAuth2AppConfig> = {}) =>
    app({ apiBaseUrlFromToken: 'instance_url', ...extra })

  it("joins relative URLs to the token's instance_url and sends the token there, a POST body intact", async () => {
    const token = { ...fresh(), instance_url: ORG }
    expect(await orgApp().get('/services/data/v62.0/', { token }).json()).toEqual({
      path: '/services/data/v62.0/',
      auth: 'Bearer at-valid',
    })
    expect(
      await orgApp()
        .post('services/data/v62.0/sobjects/Account', { token, json: { Name: 'A' } })
        .json(),
    ).toMatchObject({ body: '{"Name":"A"}' })
    expect(apiCalls).toHaveLength(0)
    // Without the option the same token's calls go to apiBaseUrl.
    await app().get('me', { token })
    expect(apiCalls).toHaveLength(1)
  })

  it('a token without the field uses apiBaseUrl; the token base is trusted for its own token only', async () => {
    await orgApp().get('me', { token: fresh() })
    expect(apiCalls).toHaveLength(1)
    // An absolute URL to the org with a token that does not name it is refused.
    await expectCode(
      orgApp().get(`${ORG}/services/data`, { token: fresh() }),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    expect(orgCalls).toHaveLength(0)
  })

  it('refuses a token base that is not https (or carries credentials) before sending anything', async () => {
    for (const base of [
      'http://acme.my.salesforce.test',
      'javascript:alert(1)',
      'https://u:p@acme.test',
    ])
      await expectCode(
        orgApp().get('services/data', { token: { ...fresh(), instance_url: base } }),
        ErrorCode.UNTRUSTED_ORIGIN,
      )
    expect(orgCalls).toHaveLength(0)
    expect(apiCalls).toHaveLength(0)
  })

  it('with tokenPlacement uri the token goes in the query of the token base', async () => {
    await orgApp({ tokenPlacement: 'uri' }).get('services/data', {
      token: { ...fresh(), instance_url: ORG },
    })
    expect(new URL(orgCalls[0]!.url).searchParams.get('access_token')).toBe('at-valid')
  })

  it('is checked at register', () => {
    expect(() => orgApp({ apiBaseUrlFromToken: '' })).toThrow(/apiBaseUrlFromToken/)
  })
})
