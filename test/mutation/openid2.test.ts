/**
 * OpenID 2.0 positive assertions (src/openid2/verify.ts, §11), what the app and hostile tests leave
 * unpinned: the exact code, message and fields of every refusal (cancel, OP errors, other modes,
 * OpenID 1.x, repeated, missing and unsigned fields, the nonce's format and window edges), the exact
 * `check_authentication` request and how its answer is read (HTTP errors, its `ns`), the claimed
 * identifier's checks (XRIs, the provider's own namespace, several discovered services) and the key
 * the nonce is remembered under. The provider is emulated with msw, as in test/hostile/openid2.test.ts.
 */
import { createHmac } from 'node:crypto'
import { http, HttpResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OpenIdAppConfig,
  type OpenIdIdentity,
  type ReplayGuard,
} from '../../src/index.js'
import { REDIRECT, SECRET, expectCode, useMsw } from '../support/helpers.js'

const OP = 'https://op.test/openid/login'
const NS = 'http://specs.openid.net/auth/2.0'
const ID = 'https://op.test/openid/id/76561197960287930'
const KEY = 'mutation-op-private-association-key'
const server = useMsw()
afterEach(() => vi.useRealTimers())

/** What the emulated OP received at its endpoint: content type and body, as sent. */
let received: { type: string | null; body: string }[]
let checkAnswer: ((body: URLSearchParams) => Response | string) | undefined
beforeEach(() => {
  received = []
  checkAnswer = undefined
  server.use(
    http.post(OP, async ({ request }) => {
      const text = await request.text()
      received.push({ type: request.headers.get('content-type'), body: text })
      const body = new URLSearchParams(text)
      const answer =
        checkAnswer?.(body) ?? `ns:${NS}\nis_valid:${body.get('openid.sig') === sign(body)}\n`
      return typeof answer === 'string'
        ? new HttpResponse(answer, { headers: { 'content-type': 'text/plain' } })
        : answer
    }),
  )
})

/** The OP's signature: HMAC-SHA256 over the key-value form of the signed fields (§6.1). */
function sign(params: URLSearchParams): string {
  const form = (params.get('openid.signed') ?? '')
    .split(',')
    .map((field) => `${field}:${params.get(`openid.${field}`) ?? ''}\n`)
    .join('')
  return createHmac('sha256', KEY).update(form).digest('base64')
}

/** A `response_nonce` made `ageSeconds` before now (whole seconds). */
function nonce(ageSeconds = 0, unique = Math.random().toString(36).slice(2)): string {
  return new Date(Date.now() - ageSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') + unique
}

const SIGNED = ['op_endpoint', 'claimed_id', 'identity', 'return_to', 'response_nonce', 'assoc_handle']

function setup(config: Partial<OpenIdAppConfig> = {}, replayGuard?: ReplayGuard) {
  const saved: OpenIdIdentity[] = []
  const app = new OAuth({
    secret: SECRET,
    ...(replayGuard && { replayGuard }),
    updateToken: (_n, t) => void saved.push(t as OpenIdIdentity),
  })
    .register('steam', {
      openIdEndpoint: OP,
      claimedIdPrefix: 'https://op.test/openid/id/',
      ...config,
    })
    .create('steam')
  /** Start a login; `callback` builds the callback of an assertion with `fields` over the defaults. */
  const start = async () => {
    const cookies = new MemoryCookieJar()
    const redirect = await app.authorizeRedirect({ cookies }, REDIRECT)
    const returnTo = new URL(redirect.headers.get('location')!).searchParams.get(
      'openid.return_to',
    )!
    const callback = (
      fields: Record<string, string> = {},
      options: {
        signed?: string[]
        tamper?: Record<string, string>
        drop?: string[]
        add?: [string, string][]
      } = {},
    ) => {
      const params = new URLSearchParams({
        'openid.ns': NS,
        'openid.mode': 'id_res',
        'openid.op_endpoint': OP,
        'openid.claimed_id': ID,
        'openid.identity': ID,
        'openid.return_to': returnTo,
        'openid.response_nonce': nonce(),
        'openid.assoc_handle': 'private-1',
        ...fields,
      })
      const signed = options.signed ?? [
        'signed',
        ...SIGNED,
        ...Object.keys(fields).map((k) => k.slice('openid.'.length)),
      ]
      params.set('openid.signed', [...new Set(signed)].join(','))
      params.set('openid.sig', sign(params))
      for (const [key, value] of Object.entries(options.tamper ?? {})) params.set(key, value)
      for (const key of options.drop ?? []) params.delete(key)
      const url = new URL(returnTo)
      for (const [key, value] of params) url.searchParams.append(key, value)
      for (const [key, value] of options.add ?? []) url.searchParams.append(key, value)
      return { cookies, request: new Request(url) }
    }
    return { returnTo, callback }
  }
  /** The refusal of an assertion built by `callback(fields, options)` in a new login. */
  const refused = async (
    code: ErrorCode,
    fields?: Record<string, string>,
    options?: Parameters<Awaited<ReturnType<typeof start>>['callback']>[1],
  ) => {
    const login = await start()
    const error = await expectCode(
      app.authorizeAccessToken(login.callback(fields, options)),
      code,
    )
    expect(error.app).toBe('steam')
    return error
  }
  return { app, saved, start, refused }
}

const INVALID = ErrorCode.OPENID_ASSERTION_INVALID

describe('the mode and namespace of the callback', () => {
  it('a cancel is access_denied: "the user cancelled the OpenID login", naming the app', async () => {
    const { refused, saved } = setup()
    const error = await refused(ErrorCode.ACCESS_DENIED, { 'openid.mode': 'cancel' })
    expect(error.message).toBe('steam: the user cancelled the OpenID login')
    expect(received).toEqual([])
    expect(saved).toEqual([])
  })

  it('error and setup_needed are authorization_error, the mode as `error`, the provider text as description', async () => {
    const { refused } = setup()
    let error = await refused(ErrorCode.AUTHORIZATION_ERROR, {
      'openid.mode': 'error',
      'openid.error': 'no\nsuch user',
    })
    expect(error.message).toBe('steam: the OpenID provider answered error: no such user')
    expect(error).toMatchObject({ error: 'error', errorDescription: 'no such user' })
    // Without openid.error the mode itself is the text.
    error = await refused(ErrorCode.AUTHORIZATION_ERROR, { 'openid.mode': 'setup_needed' })
    expect(error.message).toBe('steam: the OpenID provider answered setup_needed: setup_needed')
    expect(error).toMatchObject({ error: 'setup_needed', errorDescription: 'setup_needed' })
    // A text that is empty once cleaned: no ": …" and no description.
    error = await refused(ErrorCode.AUTHORIZATION_ERROR, {
      'openid.mode': 'error',
      'openid.error': '\u0001',
    })
    expect(error.message).toBe('steam: the OpenID provider answered error')
    expect(error.error).toBe('error')
    expect(error.errorDescription).toBeUndefined()
    expect(received).toEqual([])
  })

  it('any mode but id_res (or none) is not a positive assertion, even when the rest is valid', async () => {
    const { refused, saved } = setup()
    for (const tamper of [{ 'openid.mode': 'checkid_setup' }, { 'openid.mode': 'id_res ' }]) {
      const error = await refused(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, {}, { tamper })
      expect(error.message).toBe(
        'steam: the callback is not an OpenID positive assertion (openid.mode=id_res)',
      )
    }
    const error = await refused(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      {},
      { drop: ['openid.mode'] },
    )
    expect(error.message).toMatch(/not an OpenID positive assertion/)
    expect(received).toEqual([])
    expect(saved).toEqual([])
  })

  it('an assertion without the OpenID 2.0 ns (none, or 1.x) is refused as OpenID 1.x', async () => {
    const { refused, saved } = setup()
    const message =
      'steam: the assertion is not OpenID 2.0 (openid.ns); OpenID 1.x is not supported'
    let error = await refused(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      {},
      { drop: ['openid.ns'] },
    )
    expect(error.message).toBe(message)
    error = await refused(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      {},
      { tamper: { 'openid.ns': 'http://openid.net/signon/1.1' } },
    )
    expect(error.message).toBe(message)
    expect(received).toEqual([])
    expect(saved).toEqual([])
  })
})

describe('the fields of the assertion', () => {
  it('a repeated openid.* parameter is refused, a repeated parameter of the app is not', async () => {
    const { app, refused, start, saved } = setup()
    const error = await refused(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      { 'openid.ns.sreg': 'http://openid.net/extensions/sreg/1.1', 'openid.sreg.nickname': 'gabe' },
      { add: [['openid.sreg.nickname', 'attacker']] },
    )
    expect(error.message).toBe('steam: the callback repeats the "openid.sreg.nickname" parameter')
    expect(received).toEqual([])
    expect(saved).toEqual([])
    const login = await start()
    const identity = await app.authorizeAccessToken(
      login.callback({}, { add: [['utm', 'a'], ['utm', 'b']] }),
    )
    expect(identity.claimed_id).toBe(ID)
  })

  it('each required field missing is named: "has no openid.<field>", before any request', async () => {
    const { refused, saved } = setup()
    for (const field of SIGNED) {
      // Still listed in openid.signed: only its absence is wrong.
      const error = await refused(INVALID, {}, { drop: [`openid.${field}`] })
      expect(error.message).toBe(`steam: the OpenID assertion has no openid.${field}`)
    }
    expect(received).toEqual([])
    expect(saved).toEqual([])
  })

  it('without openid.signed nothing is signed; without openid.sig there is no signature', async () => {
    const { refused, saved } = setup()
    let error = await refused(INVALID, {}, { drop: ['openid.signed'] })
    expect(error.message).toBe(
      'steam: the OpenID assertion does not sign openid.op_endpoint (openid.signed)',
    )
    error = await refused(INVALID, {}, { drop: ['openid.sig'] })
    expect(error.message).toBe('steam: the OpenID assertion has no signature (openid.sig)')
    expect(error.status).toBeUndefined()
    expect(received).toEqual([])
    expect(saved).toEqual([])
  })
})

describe('the response nonce', () => {
  it('a malformed nonce is "response_nonce is malformed"', async () => {
    const { refused } = setup()
    const error = await refused(INVALID, { 'openid.response_nonce': '2026-12-02 10:00:00Zx' })
    expect(error.message).toBe('steam: the OpenID assertion response_nonce is malformed')
    expect(received).toEqual([])
  })

  it('is accepted exactly at the window on either side, refused one second past it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const at = Date.parse('2026-12-02T10:00:00Z')
    const { app, start, refused } = setup({ nonceMaxAge: 120 })
    for (const [age, message] of [
      [120, undefined],
      [-120, undefined],
      [121, 'steam: the OpenID assertion response_nonce is stale'],
      [-121, 'steam: the OpenID assertion response_nonce is dated in the future'],
    ] as const) {
      vi.setSystemTime(at)
      const fields = { 'openid.response_nonce': nonce(age) }
      if (message === undefined) {
        const login = await start()
        const identity = await app.authorizeAccessToken(login.callback(fields))
        expect(identity.claimed_id).toBe(ID)
      } else {
        expect((await refused(INVALID, fields)).message).toBe(message)
      }
    }
  })

  it('is remembered under "oauthkit:openid2:nonce:<op_endpoint> <nonce>" until its time plus the window', async () => {
    const used: [string, number][] = []
    const seen = new Set<string>()
    const guard: ReplayGuard = {
      use: (key, expiresAt) => {
        if (key.startsWith('oauthkit:openid2:')) used.push([key, expiresAt])
        const first = !seen.has(key)
        seen.add(key)
        return Promise.resolve(first)
      },
    }
    const { app, start, saved } = setup({ nonceMaxAge: 60 }, guard)
    const one = nonce(0, 'one')
    const two = nonce(0, 'two')
    for (const value of [one, two]) {
      const login = await start()
      await app.authorizeAccessToken(login.callback({ 'openid.response_nonce': value }))
    }
    expect(saved).toHaveLength(2)
    const time = (value: string) => Date.parse(value.slice(0, 20))
    expect(used).toEqual([
      [`oauthkit:openid2:nonce:${OP} ${one}`, time(one) + 60_000],
      [`oauthkit:openid2:nonce:${OP} ${two}`, time(two) + 60_000],
    ])
  })
})

describe('check_authentication', () => {
  it("sends the assertion's openid.* fields as received, in order, then openid.mode=check_authentication, as a form", async () => {
    const { app, start } = setup()
    const login = await start()
    const callback = login.callback({}, { add: [['utm', 'x']] })
    const url = new URL(callback.request.url)
    await app.authorizeAccessToken(callback)
    const expected = new URLSearchParams(
      [...url.searchParams].filter(([key]) => key.startsWith('openid.') && key !== 'openid.mode'),
    )
    expected.append('openid.mode', 'check_authentication')
    expect(received).toEqual([
      { type: 'application/x-www-form-urlencoded', body: expected.toString() },
    ])
  })

  it('runs the checkAuthenticationResponse hook on its answer', async () => {
    const seen: number[] = []
    const { app, start } = setup({
      hooks: { checkAuthenticationResponse: (response) => (seen.push(response.status), response) },
    })
    const login = await start()
    await app.authorizeAccessToken(login.callback())
    expect(seen).toEqual([200])
  })

  it('an unreachable provider is named as "the OpenID provider (check_authentication)"', async () => {
    const { refused, saved } = setup()
    checkAnswer = () => HttpResponse.error()
    const error = await refused(ErrorCode.NETWORK_ERROR)
    expect(error.message).toBe(
      'steam: the OpenID provider (check_authentication) could not be reached (https://op.test)',
    )
    expect(saved).toEqual([])
  })

  it('an HTTP error is http_error with its status, even when its body says is_valid:true', async () => {
    const { refused, saved } = setup()
    checkAnswer = () =>
      new HttpResponse(`ns:${NS}\nis_valid:true\n`, {
        status: 500,
        headers: { 'content-type': 'text/plain' },
      })
    const error = await refused(ErrorCode.HTTP_ERROR)
    expect(error.message).toBe(
      'steam: the OpenID provider answered check_authentication with HTTP 500',
    )
    expect(error.status).toBe(500)
    expect(saved).toEqual([])
  })

  it('an answer in another namespace is refused; one without ns is read as 2.0', async () => {
    const { app, start, refused, saved } = setup()
    checkAnswer = () => 'ns:http://openid.net/signon/1.1\nis_valid:true\n'
    const error = await refused(INVALID)
    expect(error.message).toBe('steam: the OpenID assertion check failed: the answer is not OpenID 2.0')
    expect(saved).toEqual([])
    checkAnswer = () => 'is_valid:true\n'
    const login = await start()
    const identity = await app.authorizeAccessToken(login.callback())
    expect(identity.claimed_id).toBe(ID)
  })
})

describe('the claimed identifier', () => {
  it('an XRI claimed_id is refused once the provider confirmed the assertion', async () => {
    const { refused, saved } = setup()
    const error = await refused(INVALID, { 'openid.claimed_id': '=example', 'openid.identity': '=example' })
    expect(error.message).toBe(
      'steam: the OpenID assertion claimed_id is not an http(s) URL (XRIs are not supported)',
    )
    expect(received).toHaveLength(1)
    expect(saved).toEqual([])
  })

  it("in the provider's own namespace the identity must be the claimed_id", async () => {
    const { refused, saved } = setup()
    const error = await refused(INVALID, {
      'openid.identity': 'https://op.test/openid/id/76561197960287931',
    })
    expect(error.message).toBe(
      "steam: the OpenID assertion identity differs from its claimed_id in the provider's own namespace",
    )
    expect(saved).toEqual([])
  })

  it('outside the namespace (another host, or a fragment) it is discovered, and refused when discovery names another OP', async () => {
    const { refused, saved } = setup()
    const discovered: string[] = []
    const page = new HttpResponse(
      '<html><head><link rel="openid2.provider" href="https://other-op.test/login"></head></html>',
      { headers: { 'content-type': 'text/html' } },
    )
    server.use(
      http.get('https://victim.test/me', ({ request }) => {
        discovered.push(request.url)
        return page.clone()
      }),
      http.get(ID, ({ request }) => {
        discovered.push(request.url)
        return page.clone()
      }),
    )
    for (const claimed of ['https://victim.test/me', `${ID}#1`]) {
      const error = await refused(INVALID, { 'openid.claimed_id': claimed, 'openid.identity': claimed })
      expect(error.message).toBe(
        'steam: the OpenID assertion claimed_id belongs to another OpenID provider (its discovery names another OP endpoint)',
      )
    }
    expect(discovered).toEqual(['https://victim.test/me', ID])
    expect(saved).toEqual([])
  })

  it('is accepted when one of several services discovered at this OP names the identity as OP-local', async () => {
    const { app, start } = setup()
    const service = (local: string) =>
      `<Service><Type>http://specs.openid.net/auth/2.0/signon</Type><URI>${OP}</URI><LocalID>${local}</LocalID></Service>`
    server.use(
      http.get(
        'https://multi.test/me',
        () =>
          new HttpResponse(
            `<?xml version="1.0"?><xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD>${service('https://op.test/local/a')}${service('https://op.test/local/b')}</XRD></xrds:XRDS>`,
            { headers: { 'content-type': 'application/xrds+xml' } },
          ),
      ),
    )
    const login = await start()
    const identity = await app.authorizeAccessToken(
      login.callback({
        'openid.claimed_id': 'https://multi.test/me',
        'openid.identity': 'https://op.test/local/b',
      }),
    )
    expect(identity).toEqual({
      claimed_id: 'https://multi.test/me',
      identity: 'https://op.test/local/b',
      op_endpoint: OP,
    })
  })
})
