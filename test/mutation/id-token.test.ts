/**
 * The callback and the ID token checks (src/oauth2/login.ts `finishLogin` / `exchange`,
 * src/oauth2/id-token.ts), what the hostile and msw login tests leave unpinned: the edges of the
 * "issued before this login" check, the DPoP binding of the code exchange, and the messages of the
 * refusals.
 */
import * as jose from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, OAuthKitError } from '../../src/index.js'
import { expectCode, useMsw } from '../support/helpers.js'
import { hostileRig, tamperSignature, type RigOptions } from '../support/hostile-idp.js'

const server = useMsw()
afterEach(() => vi.useRealTimers())

/** A login started at a whole second, answered with an ID token issued `age` seconds before it. */
async function issuedBefore(age: number, options: RigOptions = {}) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
  const started = Date.now() / 1000
  const r = await hostileRig(server, options)
  const login = await r.start()
  r.idp.answerToken(async ({ nonce }) => ({
    id_token: await r.idp.idToken({ nonce, iat: started - age, exp: started + 300 }),
  }))
  return { r, attempt: () => r.signIn(login, r.idp.authorize(login.location)) }
}

describe('an ID token issued before the login started', () => {
  it('is accepted at exactly the 30 s clock tolerance, refused one second past it', async () => {
    const at = await issuedBefore(30)
    await expect(at.attempt()).resolves.toHaveProperty('userinfo.sub', 'user-1')
    const past = await issuedBefore(31)
    const err = await expectCode(past.attempt(), ErrorCode.ID_TOKEN_INVALID)
    expect(err.message).toBe(
      'idp: the ID token was issued before this login started (iat too far in the past; if the clocks differ, fix them or raise clockTolerance)',
    )
    expect(err.app).toBe('idp')
  })

  it("uses the app's clockTolerance instead", async () => {
    const within = await issuedBefore(100, { config: { clockTolerance: 120 } })
    await expect(within.attempt()).resolves.toHaveProperty('userinfo.sub', 'user-1')
    const beyond = await issuedBefore(121, { config: { clockTolerance: 120 } })
    await expectCode(beyond.attempt(), ErrorCode.ID_TOKEN_INVALID)
  })
})

describe('the DPoP binding of the code exchange (dpop: true)', () => {
  /** A DPoP app's login whose token endpoint first asks for a nonce when `nonce`, then answers `tokenType`. */
  async function dpopLogin(tokenType: string, nonce = false) {
    const r = await hostileRig(server, { config: { dpop: true } })
    const login = await r.start()
    let asked = false
    r.idp.overrides.token = async () => {
      if (nonce && !asked) {
        asked = true
        return Response.json(
          { error: 'use_dpop_nonce' },
          { status: 400, headers: { 'dpop-nonce': 'n-1' } },
        )
      }
      return Response.json({
        access_token: 'at-1',
        token_type: tokenType,
        expires_in: 3600,
        id_token: await r.idp.idToken({ nonce: login.nonce }),
      })
    }
    const proofs = () =>
      r.idp.calls
        .filter((c) => c.endpoint === 'token')
        .map((c) => c.request.headers.get('dpop'))
    return { r, login, proofs, attempt: () => r.signIn(login, r.idp.authorize(login.location)) }
  }

  it('proves a new key on the token request and keeps that key in the token', async () => {
    const { attempt, proofs } = await dpopLogin('DPoP')
    const token = await attempt()
    const [proof] = proofs()
    expect(proof).toEqual(expect.any(String))
    const { jwk } = jose.decodeProtectedHeader(proof!)
    // The token keeps the whole key (to prove it on later calls); the proof carried its public part.
    expect(token.dpop_jwk).toMatchObject({ ...jwk, d: expect.any(String) })
  })

  it('answers the token endpoint\'s nonce request once, with a proof that carries the nonce', async () => {
    const { attempt, proofs } = await dpopLogin('DPoP', true)
    await expect(attempt()).resolves.toHaveProperty('token_type', 'dpop')
    const sent = proofs()
    expect(sent).toHaveLength(2)
    expect(jose.decodeJwt(sent[1]!)).toHaveProperty('nonce', 'n-1')
  })

  it('refuses a Bearer token answered to a DPoP exchange (dpop_not_bound), nothing stored', async () => {
    const { r, attempt } = await dpopLogin('Bearer')
    await expectCode(attempt(), ErrorCode.DPOP_NOT_BOUND)
    expect(r.updates).toEqual([])
  })

  it('without dpop sends no proof and keeps no key', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const token = await r.signIn(login, r.idp.authorize(login.location))
    expect(r.idp.calls.find((c) => c.endpoint === 'token')!.request.headers.get('dpop')).toBeNull()
    expect(token).not.toHaveProperty('dpop_jwk')
  })
})

describe('the code exchange', () => {
  it("redacts the code, the verifier and the client secret a token endpoint's error echoes", async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    r.idp.overrides.token = async (request) => {
      const body = new URLSearchParams(await request.text())
      const echoed = ['code', 'code_verifier'].map((k) => body.get(k)).join(' ')
      return Response.json(
        { error: 'invalid_grant', error_description: `${echoed} ${r.idp.clientSecret}` },
        { status: 400 },
      )
    }
    const err = await expectCode(r.signIn(login, callback), ErrorCode.TOKEN_ERROR)
    expect(err.errorDescription).toBe('[redacted] [redacted] [redacted]')
  })

  it('a token endpoint that cannot be reached is a network error naming it', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.overrides.token = async () => Response.error()
    const err = await expectCode(
      r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.NETWORK_ERROR,
    )
    expect(err.message).toBe('idp: the token endpoint could not be reached (https://idp.test)')
  })

  it('an app without a known issuer (endpoints configured by hand) ignores an iss in the callback', async () => {
    const r = await hostileRig(server, {
      config: {
        serverMetadataUrl: undefined,
        authorizeUrl: 'https://idp.test/authorize',
        accessTokenUrl: 'https://idp.test/token',
        scope: 'email',
      },
    })
    r.idp.answerToken(() => ({ id_token: undefined }))
    const login = await r.start()
    const callback = r.idp.authorize(login.location, { iss: 'https://anyone.test' })
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(callback),
    })
    expect(token.access_token).toEqual(expect.any(String))
  })
})

describe('what the token request carries', () => {
  it("sends the app's accessTokenParams and the call's params over them", async () => {
    const r = await hostileRig(server, {
      config: { accessTokenParams: { resource: 'https://api.test/', audience: 'app' } },
    })
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    await r.app.authorizeAccessToken(
      { cookies: login.cookies, request: new Request(callback) },
      { params: { audience: 'call' } },
    )
    const sent = new URLSearchParams(r.idp.calls.find((c) => c.endpoint === 'token')!.body)
    expect(sent.get('resource')).toBe('https://api.test/')
    expect(sent.getAll('audience')).toEqual(['call'])
  })

  it("the token request goes through the app's accessTokenRequest hooks", async () => {
    const r = await hostileRig(server, {
      config: {
        hooks: {
          accessTokenRequest: (request) => {
            request.headers.set('x-hooked', 'yes')
            return request
          },
        },
      },
    })
    const login = await r.start()
    await r.signIn(login, r.idp.authorize(login.location))
    const sent = r.idp.calls.find((c) => c.endpoint === 'token')!.request
    expect(sent.headers.get('x-hooked')).toBe('yes')
  })

  it('an app with pkce: false sends no code_verifier', async () => {
    const r = await hostileRig(server, { config: { pkce: false } })
    const login = await r.start()
    await r.signIn(login, r.idp.authorize(login.location))
    const sent = new URLSearchParams(r.idp.calls.find((c) => c.endpoint === 'token')!.body)
    expect(sent.has('code_verifier')).toBe(false)
    expect(sent.get('code')).toEqual(expect.any(String))
  })
})

describe('the authorizationResponse hooks', () => {
  it('run in order, each on what the previous one changed or returned', async () => {
    const seen: string[] = []
    const r = await hostileRig(server, {
      config: {
        hooks: {
          authorizationResponse: [
            (params) => {
              seen.push(params.get('x') ?? '')
              params.set('x', 'first')
            },
            (params) => {
              seen.push(params.get('x') ?? '')
              const next = new URLSearchParams(params)
              next.set('x', 'second')
              return next
            },
            (params) => void seen.push(params.get('x') ?? ''),
          ],
        },
      },
    })
    const login = await r.start()
    const callback = r.idp.authorize(login.location, { x: 'provider' })
    await r.signIn(login, callback)
    expect(seen).toEqual(['provider', 'first', 'second'])
  })
})

describe('the ID token of another grant (tokenFromResponse)', () => {
  /** A rig whose token endpoint answers every grant with `idToken`'s ID token. */
  async function passwordRig(idToken: (r: Awaited<ReturnType<typeof hostileRig>>) => Promise<string | undefined>, options: RigOptions = {}) {
    const r = await hostileRig(server, options)
    r.idp.overrides.token = async () =>
      Response.json({ access_token: 'at-1', token_type: 'Bearer', id_token: await idToken(r) })
    return r
  }

  it('verifies its signature: a tampered one is id_token_invalid, a valid one gives its claims', async () => {
    const bad = await passwordRig(async (r) => tamperSignature(await r.idp.idToken()))
    await expectCode(bad.app.passwordGrant('user', 'pw'), ErrorCode.ID_TOKEN_INVALID)
    const good = await passwordRig((r) => r.idp.idToken({ email: 'a@b.test' }))
    await expect(good.app.passwordGrant('user', 'pw')).resolves.toHaveProperty(
      'userinfo.email',
      'a@b.test',
    )
  })

  it('without idTokenIssuer a response without one is accepted; with it, refused with its message', async () => {
    const plain = await passwordRig(async () => undefined)
    await expect(plain.app.passwordGrant('user', 'pw')).resolves.toHaveProperty('access_token', 'at-1')
    const checked = await passwordRig(async () => undefined, {
      config: { idTokenIssuer: (_claims, issuer) => issuer },
    })
    const err = await expectCode(checked.app.passwordGrant('user', 'pw'), ErrorCode.ID_TOKEN_INVALID)
    expect(err).toMatchObject({
      app: 'idp',
      message: 'idp: the token response has no ID token, which this app checks (idTokenIssuer)',
    })
  })
})

describe('the messages of the ID token refusals', () => {
  /** The message a login answered with `idToken`'s ID token is refused with (id_token_invalid). */
  async function refusal(
    idToken: (r: Awaited<ReturnType<typeof hostileRig>>, nonce: string | undefined) => Promise<string>,
    options: RigOptions = {},
    code: string = ErrorCode.ID_TOKEN_INVALID,
  ) {
    const r = await hostileRig(server, options)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({ id_token: await idToken(r, nonce) }))
    const err = await expectCode(r.signIn(login, r.idp.authorize(login.location)), code)
    expect(err.app).toBe('idp')
    return err.message
  }
  const now = () => Math.floor(Date.now() / 1000)

  it('names what is wrong, without the token', async () => {
    expect(await refusal((r, nonce) => r.idp.idToken({ nonce }, { header: { typ: 'at+jwt' } }))).toBe(
      'idp: the JWT offered as an ID token is typed "at+jwt", another kind of token',
    )
    expect(await refusal((r, nonce) => r.idp.idToken({ nonce, sub: '' }))).toBe(
      'idp: the ID token has an empty sub',
    )
    expect(await refusal((r, nonce) => r.idp.idToken({ nonce, iat: now() + 3600, exp: now() + 7200 }))).toBe(
      'idp: the ID token was issued in the future (iat beyond the clock tolerance; if the clocks differ, fix them or raise clockTolerance)',
    )
    expect(
      await refusal((r, nonce) => r.idp.idToken({ nonce, aud: [r.idp.clientId, 'a'], azp: r.idp.clientId }), {
        config: { trustedAudiences: ['b'] },
      }),
    ).toBe('idp: the ID token names audiences besides this client that the app does not trust (trustedAudiences)')
  })
})

describe('keys and algorithms', () => {
  it('two logins in a row fetch the JWKS once', async () => {
    const r = await hostileRig(server)
    for (let i = 0; i < 2; i++) {
      const login = await r.start()
      await r.signIn(login, r.idp.authorize(login.location))
    }
    expect(r.idp.endpointCalls('jwks')).toBe(1)
  })

  it("the JWKS is kept for the app's metadataTtl, then fetched again", async () => {
    const r = await hostileRig(server, { config: { metadataTtl: 60 } })
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
    const login = async () => {
      const l = await r.start()
      await r.signIn(l, r.idp.authorize(l.location))
    }
    await login()
    vi.setSystemTime(Date.now() + 61_000)
    await login()
    expect(r.idp.endpointCalls('jwks')).toBe(2)
  })

  it('a provider without jwks_uri cannot have its ID tokens verified (metadata_invalid)', async () => {
    const r = await hostileRig(server, { idp: { metadata: { jwks_uri: undefined } } })
    const login = await r.start()
    const err = await expectCode(
      r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.METADATA_INVALID,
    )
    expect(err).toMatchObject({
      app: 'idp',
      message: 'idp: the provider has no jwks_uri to verify signatures with',
    })
  })

  /** `parseIdToken` (verify alone, without oauth4webapi's checks first) of a token signed with `alg`. */
  async function parsed(alg: string, options: RigOptions, claims: Record<string, unknown> = {}) {
    const r = await hostileRig(server, options)
    await r.idp.addKey('es', 'ES256')
    await r.app.loadServerMetadata()
    const token = await r.idp.idToken(claims, { kid: alg === 'ES256' ? 'es' : 'key-1' })
    return r.app.parseIdToken(token, { nonce: false })
  }

  it("idTokenSignedResponseAlg alone is allowed, else the metadata's algorithms, else RS256", async () => {
    const only = { config: { idTokenSignedResponseAlg: 'ES256' } }
    await expect(parsed('ES256', only)).resolves.toHaveProperty('sub', 'user-1')
    const err = await expectCode(parsed('RS256', only), ErrorCode.ID_TOKEN_INVALID)
    expect(err.message).toBe('idp: the ID token alg "RS256" is not allowed')
    const listed = { idp: { metadata: { id_token_signing_alg_values_supported: ['ES256'] } } }
    await expect(parsed('ES256', listed)).resolves.toHaveProperty('sub', 'user-1')
    await expectCode(parsed('RS256', listed), ErrorCode.ID_TOKEN_INVALID)
    const none = { idp: { metadata: { id_token_signing_alg_values_supported: undefined } } }
    await expect(parsed('RS256', none)).resolves.toHaveProperty('sub', 'user-1')
    await expectCode(parsed('ES256', none), ErrorCode.ID_TOKEN_INVALID)
  })

  it('several audiences need azp = this client, with its message', async () => {
    const err = await expectCode(
      parsed('RS256', { config: { trustedAudiences: ['a'] } }, { aud: ['client-1', 'a'], azp: 'a' }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    expect(err.message).toBe('idp: the ID token has several audiences and its azp is not this client')
  })
})

describe('signed userinfo and HS* tokens', () => {
  /** The userinfo of a logged-in rig whose userinfo endpoint answers `body` as `application/jwt`. */
  async function userinfo(
    body: (r: Awaited<ReturnType<typeof hostileRig>>) => Promise<string>,
    options: RigOptions = { config: { userinfoSignedResponseAlg: 'RS256' } },
  ) {
    const r = await hostileRig(server, options)
    const login = await r.start()
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    const jwt = await body(r)
    r.idp.overrides.userinfo = () =>
      new Response(jwt, { headers: { 'content-type': 'application/jwt' } })
    return r.app.userinfo(token)
  }
  const refused = async (promise: Promise<unknown>) =>
    (await expectCode(promise, ErrorCode.USERINFO_INVALID)).message

  it('does not need exp or iat, and names itself in its messages', async () => {
    await expect(
      userinfo((r) => r.idp.idToken({ exp: undefined, iat: undefined })),
    ).resolves.toHaveProperty('sub', 'user-1')
    expect(
      await refused(userinfo((r) => r.idp.idToken({}, { header: { typ: 'logout+jwt' } }))),
    ).toBe('idp: the JWT offered as signed userinfo is typed "logout+jwt", another kind of token')
  })

  it('an HS256 ID token needs a client secret to be verified', async () => {
    const r = await hostileRig(server, {
      config: { clientSecret: undefined, tokenEndpointAuthMethod: 'none', idTokenSignedResponseAlg: 'HS256' },
    })
    await r.app.loadServerMetadata()
    const token = await r.idp.idToken({}, { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) })
    const err = await expectCode(r.app.parseIdToken(token, { nonce: false }), ErrorCode.ID_TOKEN_INVALID)
    expect(err.message).toBe('idp: an HS256 ID token needs a client secret')
  })
})

describe('the callback', () => {
  it('without state or without code says which, for this app', async () => {
    const r = await hostileRig(server)
    for (const [param, code, message] of [
      ['state', ErrorCode.STATE_MISSING, 'idp: the callback has no state parameter'],
      ['code', ErrorCode.INVALID_AUTHORIZATION_RESPONSE, 'idp: the callback has no code parameter'],
    ] as const) {
      const login = await r.start()
      const callback = r.idp.authorize(login.location)
      callback.searchParams.delete(param)
      const err = await expectCode(r.signIn(login, callback), code)
      expect(err).toMatchObject({ app: 'idp', message })
    }
  })

  it('a repeated state consumes each transaction it names once, even named twice', async () => {
    const r = await hostileRig(server)
    const first = await r.start()
    const second = await r.start({ cookies: first.cookies })
    const callback = r.idp.authorize(second.location)
    callback.searchParams.append('state', first.state)
    callback.searchParams.append('state', second.state)
    await expectCode(r.signIn(second, callback), ErrorCode.INVALID_AUTHORIZATION_RESPONSE)
    expect(first.cookies.get(first.txCookie)).toBeUndefined()
    expect(first.cookies.get(second.txCookie)).toBeUndefined()
  })
})

describe('a signature that does not verify', () => {
  it("says so with jose's reason, and keeps a cause", async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: tamperSignature(await r.idp.idToken({ nonce })),
    }))
    const err = await expectCode(
      r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.ID_TOKEN_INVALID,
    )
    expect(err.message).toBe(
      'idp: the ID token signature could not be verified (signature verification failed)',
    )
    expect(err.app).toBe('idp')
    expect(err.cause).toBeInstanceOf(Error)
  })
})

describe('idTokenIssuer (issuerFor)', () => {
  it('is asked only about a successful response with an ID token; its refusal stands, its crash does not', async () => {
    const asked: unknown[] = []
    const r = await hostileRig(server, {
      config: {
        idTokenIssuer: (claims, issuer) => {
          asked.push(claims.sub)
          if (claims.sub === 'crash') throw new Error('resolver bug')
          if (claims.sub === 'refused')
            throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, 'idp: not our tenant')
          return issuer
        },
      },
    })
    const attempt = async (answer: (nonce: string | undefined) => Promise<Response>) => {
      const login = await r.start()
      r.idp.overrides.token = async (request) => {
        const code = new URLSearchParams(await request.text()).get('code') ?? ''
        return answer(r.idp.codes.get(code)?.nonce)
      }
      const request = new Request(r.idp.authorize(login.location))
      return r.app.authorizeAccessToken({ cookies: login.cookies, request })
    }
    const token = (claims: Record<string, unknown>) => async (nonce: string | undefined) =>
      Response.json({ access_token: 'at', token_type: 'Bearer', id_token: await r.idp.idToken({ nonce, ...claims }) })

    await expectCode(
      attempt(async () => Response.json({ error: 'invalid_grant' }, { status: 400 })),
      ErrorCode.TOKEN_ERROR,
    )
    expect(asked).toEqual([])
    await expect(attempt(token({ sub: 'crash' }))).resolves.toHaveProperty('access_token', 'at')
    const err = await expectCode(attempt(token({ sub: 'refused' })), ErrorCode.ID_TOKEN_INVALID)
    expect(err.message).toBe('idp: not our tenant')
    expect(asked).toEqual(['crash', 'refused'])
  })
})

describe('max_age at the callback', () => {
  it('a login that sent max_age needs an auth_time within it', async () => {
    const now = Math.floor(Date.now() / 1000)
    const r = await hostileRig(server, { config: { authorizeParams: { max_age: '60' } } })
    for (const [authTime, ok] of [
      [now, true],
      [now - 3600, false],
      [undefined, false],
    ] as const) {
      const login = await r.start()
      r.idp.answerToken(async ({ nonce }) => ({
        id_token: await r.idp.idToken({ nonce, auth_time: authTime }),
      }))
      const attempt = r.signIn(login, r.idp.authorize(login.location))
      if (ok) await expect(attempt).resolves.toHaveProperty('userinfo.sub', 'user-1')
      else await expectCode(attempt, ErrorCode.ID_TOKEN_INVALID)
    }
  })
})

describe('an OpenID login needs an ID token (requireIdToken)', () => {
  it('whatever the nonce setting; a login without openid needs none', async () => {
    for (const config of [{}, { nonce: false as const }]) {
      const r = await hostileRig(server, { config })
      const login = await r.start()
      r.idp.answerToken(() => ({ id_token: undefined }))
      await r.expectRefused(
        () => r.signIn(login, r.idp.authorize(login.location)),
        ErrorCode.INVALID_RESPONSE,
        { login, calls: ['token'] },
      )
    }
    const plain = await hostileRig(server, { config: { scope: 'email' } })
    const login = await plain.start()
    plain.idp.answerToken(() => ({ id_token: undefined }))
    await expect(
      plain.app.authorizeAccessToken({
        cookies: login.cookies,
        request: new Request(plain.idp.authorize(login.location)),
      }),
    ).resolves.not.toHaveProperty('id_token')
  })
})

describe('verify, through parseIdToken', () => {
  async function rig(options: RigOptions = {}) {
    const r = await hostileRig(server, options)
    await r.app.loadServerMetadata()
    return r
  }

  it('accepts an iat exactly at the clock tolerance in the future', async () => {
    const r = await rig()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
    const now = Date.now() / 1000
    const at = await r.idp.idToken({ iat: now + 30, exp: now + 300 })
    await expect(r.app.parseIdToken(at, { nonce: false })).resolves.toHaveProperty('iat', now + 30)
    const past = await r.idp.idToken({ iat: now + 31, exp: now + 300 })
    await expectCode(r.app.parseIdToken(past, { nonce: false }), ErrorCode.ID_TOKEN_INVALID)
  })

  it('refuses a typ ending in +jwt only', async () => {
    const r = await rig()
    const typed = (typ: string) => r.idp.idToken({}, { header: { typ } })
    await expect(r.app.parseIdToken(await typed('jwt+jwt.v2'), { nonce: false })).resolves.toHaveProperty('sub')
    await expectCode(r.app.parseIdToken(await typed('x+JWT'), { nonce: false }), ErrorCode.ID_TOKEN_INVALID)
  })

  it('names an empty alg as ""', async () => {
    const r = await rig()
    const part = (value: object) => jose.base64url.encode(JSON.stringify(value))
    const token = `${part({ alg: '' })}.${part({ iss: r.idp.issuer, sub: 'user-1' })}.c2ln`
    const err = await expectCode(r.app.parseIdToken(token, { nonce: false }), ErrorCode.ID_TOKEN_INVALID)
    expect(err.message).toBe('idp: the ID token alg "" is not allowed')
  })
})
