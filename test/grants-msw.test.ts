/**
 * The other grants and endpoints against an msw-emulated provider: device polling (pending,
 * slow_down, expiry, denial, timeouts, abort), the password grant, token exchange, revocation and
 * introspection faults, the revocation/introspection request hooks, and the logout redirect.
 */
import { delay, http, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it } from 'vitest'
import type { DeviceAuthorization } from '../src/index.js'
import {
  ErrorCode,
  OAuth,
  type OAuth2App,
  type OAuth2AppConfig,
  type OAuth2Token,
  type RequestHook,
} from '../src/index.js'
import { FakeIdp } from './support/fake-idp.js'
import { SECRET, expectCode, useMsw } from './support/helpers.js'

const server = useMsw()
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

let idp: FakeIdp
let updates: OAuth2Token[]
beforeEach(async () => {
  idp = await FakeIdp.create({
    metadata: { device_authorization_endpoint: 'https://idp.test/device' },
  })
  server.use(...idp.handlers())
  updates = []
})

function app(config: Partial<OAuth2AppConfig> = {}): OAuth2App {
  return new OAuth({
    secret: SECRET,
    updateToken: (_name, token: OAuth2Token) => void updates.push(token),
  })
    .register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid email',
      ...config,
    })
    .create('idp')
}

/** The client credentials of a Basic authorization header (form-encoded first, RFC 6749 §2.3.1). */
const basicAuth = () => `${idp.clientId}:${idp.clientSecret}`
const credentialsOf = (header: string | null) =>
  header?.startsWith('Basic ')
    ? atob(header.slice(6)).split(':').map(decodeURIComponent).join(':')
    : header
const tokenBodies = () =>
  idp.calls.filter((c) => c.endpoint === 'token').map((c) => new URLSearchParams(c.body))

/** A fake clock and sleep: every wait is recorded and advances the clock at once. */
function fakeTime(start = 1_700_000_000_000) {
  let clock = start
  const waits: number[] = []
  return {
    waits,
    now: () => clock,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted()
      waits.push(ms)
      clock += ms
    },
  }
}

const authorization = (extra: Partial<DeviceAuthorization> = {}): DeviceAuthorization => ({
  device_code: 'dc-secret-device-code',
  user_code: 'WDJB-MJHT',
  verification_uri: 'https://idp.test/activate',
  expires_in: 600,
  interval: 5,
  ...extra,
})

/** The token endpoint answers each poll with the next scripted error, then (or on 'token') a token. */
function scriptPolls(...answers: Array<string | (() => Response | Promise<Response>)>) {
  let n = 0
  idp.overrides.token = async () => {
    const answer = answers[n++] ?? 'token'
    if (typeof answer === 'function') return answer()
    if (answer === 'token') {
      return HttpResponse.json({
        access_token: 'at-device',
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: 'rt-device',
        id_token: await idp.idToken(),
      })
    }
    return HttpResponse.json({ error: answer, error_description: `poll ${n}` }, { status: 400 })
  }
}

describe('deviceAuthorization', () => {
  it('asks with the client and scope, defaults interval to 5 and computes expires_at', async () => {
    const seen: Array<{ auth: string | null; body: URLSearchParams }> = []
    server.use(
      http.post('https://idp.test/device', async ({ request }) => {
        seen.push({
          auth: request.headers.get('authorization'),
          body: new URLSearchParams(await request.text()),
        })
        return HttpResponse.json({
          device_code: 'dc-1',
          user_code: 'ABCD-EFGH',
          verification_uri: 'https://idp.test/activate',
          verification_uri_complete: 'https://idp.test/activate?user_code=ABCD-EFGH',
          expires_in: 900,
        })
      }),
    )
    const before = Math.floor(Date.now() / 1000)
    const result = await app().deviceAuthorization({
      scope: ['openid', 'profile'],
      params: { audience: 'api' },
    })
    const after = Math.floor(Date.now() / 1000)
    expect(result.expires_at).toBeGreaterThanOrEqual(before + 900)
    expect(result.expires_at).toBeLessThanOrEqual(after + 900)
    expect(result).toEqual({
      device_code: 'dc-1',
      user_code: 'ABCD-EFGH',
      verification_uri: 'https://idp.test/activate',
      verification_uri_complete: 'https://idp.test/activate?user_code=ABCD-EFGH',
      expires_in: 900,
      interval: 5,
      expires_at: result.expires_at,
    })
    expect(seen).toHaveLength(1)
    expect(credentialsOf(seen[0]!.auth)).toBe(basicAuth())
    expect(Object.fromEntries(seen[0]!.body)).toEqual({
      client_id: idp.clientId,
      scope: 'openid profile',
      audience: 'api',
    })
  })

  it('keeps the provider interval and reports a provider error as token_error', async () => {
    let answer: Response = HttpResponse.json({
      device_code: 'dc',
      user_code: 'U',
      verification_uri: 'https://idp.test/a',
      expires_in: 60,
      interval: 2,
    })
    server.use(http.post('https://idp.test/device', () => answer))
    expect((await app().deviceAuthorization()).interval).toBe(2)
    answer = HttpResponse.json(
      { error: 'invalid_scope', error_description: 'no such scope' },
      { status: 400 },
    )
    const err = await expectCode(app().deviceAuthorization(), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({
      error: 'invalid_scope',
      errorDescription: 'no such scope',
      status: 400,
    })
  })

  it('fails with metadata_invalid when the provider has no device_authorization_endpoint', async () => {
    idp = await FakeIdp.create()
    server.use(...idp.handlers())
    await expectCode(app().deviceAuthorization(), ErrorCode.METADATA_INVALID)
  })
})

describe('pollDeviceToken', () => {
  it('keeps polling while pending, adds 5 s on slow_down, and returns the validated token once', async () => {
    scriptPolls(
      'authorization_pending',
      'authorization_pending',
      'slow_down',
      'authorization_pending',
      'token',
    )
    const time = fakeTime()
    const token = await app().pollDeviceToken(authorization(), time)
    expect(time.waits).toEqual([5000, 5000, 5000, 10_000, 10_000])
    const polls = tokenBodies()
    expect(polls).toHaveLength(5)
    for (const body of polls)
      expect(Object.fromEntries(body)).toEqual({
        grant_type: DEVICE_GRANT,
        device_code: 'dc-secret-device-code',
      })
    expect(
      credentialsOf(
        idp.calls.find((c) => c.endpoint === 'token')!.request.headers.get('authorization'),
      ),
    ).toBe(basicAuth())
    expect(token).toMatchObject({
      access_token: 'at-device',
      token_type: 'bearer',
      refresh_token: 'rt-device',
    })
    expect(token.userinfo).toMatchObject({ sub: 'user-1', iss: idp.issuer, aud: idp.clientId })
    expect(updates).toEqual([token])
  })

  it('verifies the ID token signature', async () => {
    const { privateKey } = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )
    scriptPolls(async () =>
      HttpResponse.json({
        access_token: 'at',
        token_type: 'Bearer',
        id_token: await idp.idToken({}, { key: privateKey }),
      }),
    )
    await expectCode(app().pollDeviceToken(authorization(), fakeTime()), ErrorCode.ID_TOKEN_INVALID)
    expect(updates).toEqual([])
  })

  it('fails with token_error expired_token when the provider says the code expired', async () => {
    scriptPolls('authorization_pending', 'expired_token')
    const time = fakeTime()
    const err = await expectCode(
      app().pollDeviceToken(authorization(), time),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'expired_token', errorDescription: 'poll 2', status: 400 })
    expect(err.message).not.toContain('dc-secret-device-code')
    expect(time.waits).toEqual([5000, 5000])
    expect(updates).toEqual([])
  })

  it('stops by itself when expires_in runs out, without a poll after the deadline', async () => {
    scriptPolls(...Array<string>(20).fill('authorization_pending'))
    const time = fakeTime()
    const err = await expectCode(
      app().pollDeviceToken(authorization({ expires_in: 30 }), time),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err.error).toBe('expired_token')
    expect(tokenBodies()).toHaveLength(5)
    expect(time.waits).toEqual([5000, 5000, 5000, 5000, 5000, 5000])
  })

  it('counts from expires_at when the authorization has it', async () => {
    scriptPolls(...Array<string>(20).fill('authorization_pending'))
    const time = fakeTime()
    const expires_at = time.now() / 1000 + 12
    await expectCode(
      app().pollDeviceToken(authorization({ expires_at }), time),
      ErrorCode.TOKEN_ERROR,
    )
    expect(tokenBodies()).toHaveLength(2)
    expect(time.waits).toEqual([5000, 5000, 2000])
  })

  it('fails with access_denied when the user refuses', async () => {
    scriptPolls('authorization_pending', 'access_denied')
    const err = await expectCode(
      app().pollDeviceToken(authorization(), fakeTime()),
      ErrorCode.ACCESS_DENIED,
    )
    expect(err.error).toBe('access_denied')
    expect(updates).toEqual([])
  })

  it('stops on any other error without retrying', async () => {
    scriptPolls(() => HttpResponse.json({ error: 'invalid_client' }, { status: 401 }))
    const err = await expectCode(
      app().pollDeviceToken(authorization(), fakeTime()),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err.error).toBe('invalid_client')
    expect(tokenBodies()).toHaveLength(1)
  })

  it('doubles the interval after a timeout, then keeps polling (RFC 8628 §3.5)', async () => {
    scriptPolls(
      async () => {
        await delay(500)
        return HttpResponse.json({ error: 'authorization_pending' }, { status: 400 })
      },
      'slow_down',
      'token',
    )
    const time = fakeTime()
    const token = await app({ timeout: 100 }).pollDeviceToken(authorization(), time)
    expect(token.access_token).toBe('at-device')
    expect(time.waits).toEqual([5000, 10_000, 15_000])
  })

  it('aborts a poll in flight with the signal reason', async () => {
    let reached: () => void
    const inFlight = new Promise<void>((resolve) => (reached = resolve))
    scriptPolls(async () => {
      reached()
      await delay('infinite')
      return HttpResponse.json({})
    })
    const controller = new AbortController()
    const reason = new Error('cancelled by the user')
    const polling = app().pollDeviceToken(authorization(), {
      ...fakeTime(),
      signal: controller.signal,
    })
    await inFlight
    controller.abort(reason)
    await expect(polling).rejects.toBe(reason)
    expect(updates).toEqual([])
  })

  it('aborts a real wait between polls at once', async () => {
    scriptPolls()
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => controller.abort(), 20)
    const err: unknown = await app()
      .pollDeviceToken(authorization({ interval: 5 }), { signal: controller.signal })
      .catch((e: unknown) => e)
    expect(err).toBe(controller.signal.reason)
    expect((err as Error).name).toBe('AbortError')
    expect(Date.now() - started).toBeLessThan(1000)
    expect(tokenBodies()).toHaveLength(0)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('already gone')
    await expect(
      app().pollDeviceToken(authorization(), { ...fakeTime(), signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason)
    expect(idp.calls).toHaveLength(0)
  })

  it('refuses an authorization without device_code', async () => {
    await expectCode(
      app().pollDeviceToken({ ...authorization(), device_code: '' }, fakeTime()),
      ErrorCode.INVALID_REQUEST,
    )
  })
})

describe('passwordGrant', () => {
  it('sends username, password and scope with client authentication and stores the token', async () => {
    idp.overrides.token = async () =>
      HttpResponse.json({
        access_token: 'at-pw',
        token_type: 'Bearer',
        expires_in: 600,
        refresh_token: 'rt-pw',
        id_token: await idp.idToken(),
      })
    const token = await app().passwordGrant('alice', 'p@ss word', { params: { device: 'cli' } })
    const [body] = tokenBodies()
    expect(Object.fromEntries(body!)).toEqual({
      grant_type: 'password',
      username: 'alice',
      password: 'p@ss word',
      scope: 'openid email',
      device: 'cli',
    })
    expect(
      credentialsOf(
        idp.calls.find((c) => c.endpoint === 'token')!.request.headers.get('authorization'),
      ),
    ).toBe(basicAuth())
    expect(token).toMatchObject({
      access_token: 'at-pw',
      token_type: 'bearer',
      refresh_token: 'rt-pw',
      userinfo: { sub: 'user-1' },
    })
    expect(updates).toEqual([token])
  })

  it('reports invalid_grant as token_error without the password in the message', async () => {
    idp.overrides.token = async () =>
      HttpResponse.json(
        { error: 'invalid_grant', error_description: 'bad credentials' },
        { status: 400 },
      )
    const err = await expectCode(
      app().passwordGrant('alice', 'hunter2-secret'),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_grant', errorDescription: 'bad credentials' })
    expect(err.message).not.toContain('hunter2-secret')
    expect(JSON.stringify(err)).not.toContain('hunter2-secret')
    expect(updates).toEqual([])
  })

  it('refuses an N_A token_type: only token exchange accepts it', async () => {
    idp.overrides.token = async () => HttpResponse.json({ access_token: 'x', token_type: 'N_A' })
    await expectCode(app().passwordGrant('alice', 'pw'), ErrorCode.UNSUPPORTED_TOKEN_TYPE)
  })
})

describe('tokenExchange', () => {
  it('sends the RFC 8693 parameters and accepts an N_A token with its issued_token_type, without storing it', async () => {
    idp.overrides.token = async () =>
      HttpResponse.json({
        access_token: 'eyJ.exchanged.jwt',
        issued_token_type: JWT_TYPE,
        token_type: 'N_A',
        expires_in: 60,
      })
    const token = await app().tokenExchange({
      subjectToken: 'subject-token-secret',
      subjectTokenType: ACCESS_TOKEN_TYPE,
      actorToken: 'actor-token',
      actorTokenType: JWT_TYPE,
      requestedTokenType: JWT_TYPE,
      audience: ['orders', 'billing'],
      resource: 'https://api.test/orders',
      scope: ['orders:read'],
    })
    expect(token).toMatchObject({
      access_token: 'eyJ.exchanged.jwt',
      token_type: 'n_a',
      issued_token_type: JWT_TYPE,
      expires_in: 60,
    })
    expect(token.expires_at).toBeGreaterThan(Date.now() / 1000)
    const [body] = tokenBodies()
    expect(body!.get('grant_type')).toBe(TOKEN_EXCHANGE)
    expect(body!.get('subject_token')).toBe('subject-token-secret')
    expect(body!.get('subject_token_type')).toBe(ACCESS_TOKEN_TYPE)
    expect(body!.get('actor_token')).toBe('actor-token')
    expect(body!.get('actor_token_type')).toBe(JWT_TYPE)
    expect(body!.get('requested_token_type')).toBe(JWT_TYPE)
    expect(body!.getAll('audience')).toEqual(['orders', 'billing'])
    expect(body!.getAll('resource')).toEqual(['https://api.test/orders'])
    expect(body!.get('scope')).toBe('orders:read')
    expect(updates).toEqual([])
  })

  it('returns a bearer access token and does not send the app scope by default', async () => {
    idp.overrides.token = async () =>
      HttpResponse.json({
        access_token: 'at-down',
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
      })
    const token = await app().tokenExchange({
      subjectToken: 'st',
      subjectTokenType: ACCESS_TOKEN_TYPE,
    })
    expect(token).toMatchObject({
      access_token: 'at-down',
      token_type: 'bearer',
      issued_token_type: ACCESS_TOKEN_TYPE,
    })
    expect(Object.fromEntries(tokenBodies()[0]!)).toEqual({
      grant_type: TOKEN_EXCHANGE,
      subject_token: 'st',
      subject_token_type: ACCESS_TOKEN_TYPE,
    })
  })

  it('refuses an actor token without its type before any request', async () => {
    await expectCode(
      app().tokenExchange({
        subjectToken: 'st',
        subjectTokenType: ACCESS_TOKEN_TYPE,
        actorToken: 'at',
      }),
      ErrorCode.INVALID_REQUEST,
    )
    expect(idp.calls).toHaveLength(0)
  })

  it('reports invalid_target as token_error without the subject token in the message', async () => {
    idp.overrides.token = async () =>
      HttpResponse.json({ error: 'invalid_target' }, { status: 400 })
    const err = await expectCode(
      app().tokenExchange({
        subjectToken: 'subject-token-secret',
        subjectTokenType: ACCESS_TOKEN_TYPE,
        audience: 'nope',
      }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err.error).toBe('invalid_target')
    expect(err.message).not.toContain('subject-token-secret')
  })
})

describe('revokeToken', () => {
  function revocationEndpoint(
    answer: (request: Request) => Response = () => new HttpResponse(null, { status: 200 }),
  ) {
    const seen: Array<{ headers: Headers; body: string }> = []
    server.use(
      http.post(`${idp.issuer}/revoke`, async ({ request }) => {
        seen.push({ headers: request.headers, body: await request.text() })
        return answer(request)
      }),
    )
    return seen
  }

  it('revokes the refresh token of a token object, else its access token, with the matching hint', async () => {
    const seen = revocationEndpoint()
    await app().revokeToken({ access_token: 'at-1', token_type: 'bearer', refresh_token: 'rt-1' })
    await app().revokeToken({ access_token: 'at-2', token_type: 'bearer' })
    await app().revokeToken(
      { access_token: 'at-3', token_type: 'bearer', refresh_token: 'rt-3' },
      { tokenTypeHint: 'access_token' },
    )
    await app().revokeToken('plain-token')
    expect(seen.map((s) => Object.fromEntries(new URLSearchParams(s.body)))).toEqual([
      { token: 'rt-1', token_type_hint: 'refresh_token' },
      { token: 'at-2', token_type_hint: 'access_token' },
      { token: 'at-3', token_type_hint: 'access_token' },
      { token: 'plain-token' },
    ])
    expect(credentialsOf(seen[0]!.headers.get('authorization'))).toBe(basicAuth())
  })

  it('reports a 5xx as http_error with the status and without the token', async () => {
    revocationEndpoint(() => new HttpResponse('upstream down', { status: 503 }))
    const err = await expectCode(app().revokeToken('rt-secret-value'), ErrorCode.HTTP_ERROR)
    expect(err.status).toBe(503)
    expect(err.message).not.toContain('rt-secret-value')
  })

  it('reports an OAuth error body as token_error', async () => {
    revocationEndpoint(() =>
      HttpResponse.json({ error: 'unsupported_token_type' }, { status: 400 }),
    )
    const err = await expectCode(
      app().revokeToken('at', { tokenTypeHint: 'access_token' }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err.error).toBe('unsupported_token_type')
  })

  it('refuses a token object without the token to revoke', async () => {
    await expectCode(
      app().revokeToken(
        { access_token: 'at', token_type: 'bearer' },
        { tokenTypeHint: 'refresh_token' },
      ),
      ErrorCode.INVALID_REQUEST,
    )
  })

  it('fails with metadata_invalid when the provider has no revocation_endpoint', async () => {
    idp = await FakeIdp.create({ metadata: { revocation_endpoint: undefined } })
    server.use(...idp.handlers())
    await expectCode(app().revokeToken('at'), ErrorCode.METADATA_INVALID)
  })

  describe('revokeTokenRequest hook', () => {
    /** A provider that only reads a JSON body (`{"token": …, "hint": …}`) and answers 400 to a form. */
    function jsonOnlyProvider() {
      return revocationEndpoint((request) =>
        request.headers.get('content-type') === 'application/json'
          ? new HttpResponse(null, { status: 200 })
          : HttpResponse.json(
              { error: 'invalid_request', error_description: 'JSON expected' },
              { status: 400 },
            ),
      )
    }
    // The quirk: the revocation endpoint wants JSON, not the RFC 7009 form body.
    const formToJson: RequestHook = async (request) => {
      const form = new URLSearchParams(await request.text())
      const headers = new Headers(request.headers)
      headers.set('content-type', 'application/json')
      headers.delete('content-length')
      return new Request(request.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ token: form.get('token'), hint: form.get('token_type_hint') }),
      })
    }

    it('without it the provider refuses the form body', async () => {
      const seen = jsonOnlyProvider()
      const err = await expectCode(
        app().revokeToken('rt-1', { tokenTypeHint: 'refresh_token' }),
        ErrorCode.TOKEN_ERROR,
      )
      expect(err.errorDescription).toBe('JSON expected')
      expect(seen[0]!.headers.get('content-type')).toBe(
        'application/x-www-form-urlencoded;charset=UTF-8',
      )
    })

    it('rewrites the request, and the provider sees JSON with client authentication kept', async () => {
      const seen = jsonOnlyProvider()
      await app({ hooks: { revokeTokenRequest: formToJson } }).revokeToken({
        access_token: 'at',
        token_type: 'bearer',
        refresh_token: 'rt-1',
      })
      expect(seen).toHaveLength(1)
      expect(seen[0]!.headers.get('content-type')).toBe('application/json')
      expect(credentialsOf(seen[0]!.headers.get('authorization'))).toBe(basicAuth())
      expect(JSON.parse(seen[0]!.body)).toEqual({ token: 'rt-1', hint: 'refresh_token' })
    })
  })
})

describe('introspectToken', () => {
  it('reports an answer without a boolean active as invalid_response', async () => {
    server.use(http.post(`${idp.issuer}/introspect`, () => HttpResponse.json({ active: 'yes' })))
    await expectCode(app().introspectToken('at'), ErrorCode.INVALID_RESPONSE)
  })

  it('fails with metadata_invalid when the provider has no introspection_endpoint', async () => {
    idp = await FakeIdp.create({ metadata: { introspection_endpoint: undefined } })
    server.use(...idp.handlers())
    await expectCode(app().introspectToken('at'), ErrorCode.METADATA_INVALID)
  })

  describe('introspectTokenRequest hook', () => {
    /** A gateway that reads the token from an `x-token` header, and calls anything else inactive. */
    function headerOnlyProvider() {
      const seen: Array<{ headers: Headers; body: string }> = []
      server.use(
        http.post(`${idp.issuer}/introspect`, async ({ request }) => {
          seen.push({ headers: request.headers, body: await request.text() })
          const token = request.headers.get('x-token')
          return HttpResponse.json(
            token === 'at-live'
              ? { active: true, sub: 'user-1', scope: 'read', client_id: idp.clientId }
              : { active: false },
          )
        }),
      )
      return seen
    }
    // The quirk: the token goes in an x-token header; the body keeps only the other parameters.
    const tokenToHeader: RequestHook = async (request) => {
      const form = new URLSearchParams(await request.text())
      const headers = new Headers(request.headers)
      headers.set('x-token', form.get('token') ?? '')
      headers.delete('content-length')
      form.delete('token')
      return new Request(request.url, { method: 'POST', headers, body: form })
    }

    it('without it the live token looks inactive', async () => {
      headerOnlyProvider()
      expect(await app().introspectToken('at-live')).toEqual({ active: false })
    })

    it('rewrites the request, and the provider sees the token in its header', async () => {
      const seen = headerOnlyProvider()
      const info = await app({ hooks: { introspectTokenRequest: tokenToHeader } }).introspectToken(
        'at-live',
        { tokenTypeHint: 'access_token' },
      )
      expect(info).toEqual({ active: true, sub: 'user-1', scope: 'read', client_id: idp.clientId })
      expect(seen[0]!.headers.get('x-token')).toBe('at-live')
      expect(credentialsOf(seen[0]!.headers.get('authorization'))).toBe(basicAuth())
      expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
        token_type_hint: 'access_token',
      })
    })
  })
})

describe('logout', () => {
  it('redirects to the end_session_endpoint with no-store', async () => {
    const res = await app().logoutRedirect({
      idTokenHint: 'id.token.hint',
      postLogoutRedirectUri: 'https://app.test/bye',
      state: 's',
    })
    expect(res.status).toBe(302)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const location = new URL(res.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(`${idp.issuer}/logout`)
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: idp.clientId,
      id_token_hint: 'id.token.hint',
      post_logout_redirect_uri: 'https://app.test/bye',
      state: 's',
    })
  })

  it('runs the logoutUrl hooks over the URL (Cognito: logout_uri instead of post_logout_redirect_uri)', async () => {
    const url = await app({
      hooks: {
        logoutUrl: [
          (u) => {
            u.searchParams.set('logout_uri', u.searchParams.get('post_logout_redirect_uri')!)
            u.searchParams.delete('post_logout_redirect_uri')
          },
          (u) => new URL(`${u.href}&second=1`),
        ],
      },
    }).createLogoutUrl({ postLogoutRedirectUri: 'https://app.test/bye' })
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: idp.clientId,
      logout_uri: 'https://app.test/bye',
      second: '1',
    })
  })

  it('fails with metadata_invalid when the provider has no end_session_endpoint', async () => {
    idp = await FakeIdp.create({ metadata: { end_session_endpoint: undefined } })
    server.use(...idp.handlers())
    const err = await expectCode(app().createLogoutUrl(), ErrorCode.METADATA_INVALID)
    expect(err.message).toMatch(/end_session_endpoint/)
  })

  it('refuses a relative postLogoutRedirectUri', async () => {
    await expectCode(
      app().createLogoutUrl({ postLogoutRedirectUri: '/bye' }),
      ErrorCode.INVALID_REQUEST,
    )
  })
})
