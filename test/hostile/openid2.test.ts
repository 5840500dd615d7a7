/**
 * A hostile OpenID 2.0 provider, emulated with msw: it signs its assertions with an HMAC over the
 * signed fields (as an OP's private association would) and answers `check_authentication` by
 * recomputing it, and misbehaves on demand. Each refused case checks the code, that `updateToken` was
 * not called, and which provider requests were made. python-openid's real provider is in
 * test/interop/openid2.test.ts.
 */
import { createHmac } from 'node:crypto'
import { http, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  MemoryReplayGuard,
  OAuth,
  type ReplayGuard,
  type OpenIdAppConfig,
  type OpenIdIdentity,
} from '../../src/index.js'
import { REDIRECT, SECRET, expectCode, useMsw } from '../support/helpers.js'

const OP = 'https://op.test/openid/login'
const NS = 'http://specs.openid.net/auth/2.0'
const ID = 'https://op.test/openid/id/76561197960287930'
const KEY = 'hostile-op-private-association-key'
const server = useMsw()

let calls: string[]
let checkAnswer: ((body: URLSearchParams) => string) | undefined
beforeEach(() => {
  calls = []
  checkAnswer = undefined
  server.use(
    http.post(OP, async ({ request }) => {
      const body = new URLSearchParams(await request.text())
      calls.push(`check_authentication ${body.get('openid.mode')}`)
      const valid = body.get('openid.sig') === sign(body)
      return new HttpResponse(checkAnswer?.(body) ?? `ns:${NS}\nis_valid:${valid}\n`, {
        headers: { 'content-type': 'text/plain' },
      })
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

function nonce(ageSeconds = 0, unique = Math.random().toString(36).slice(2)): string {
  return new Date(Date.now() - ageSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') + unique
}

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
  /** Start a login; returns the callback for an assertion with `fields` over the defaults, signed as `signed`. */
  const start = async () => {
    const cookies = new MemoryCookieJar()
    const redirect = await app.authorizeRedirect({ cookies }, REDIRECT)
    const returnTo = new URL(redirect.headers.get('location')!).searchParams.get(
      'openid.return_to',
    )!
    const callback = (
      fields: Record<string, string> = {},
      options: { signed?: string[]; tamper?: Record<string, string>; at?: string } = {},
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
        'op_endpoint',
        'claimed_id',
        'identity',
        'return_to',
        'response_nonce',
        'assoc_handle',
        ...Object.keys(fields).map((k) => k.slice('openid.'.length)),
      ]
      params.set('openid.signed', [...new Set(signed)].join(','))
      params.set('openid.sig', sign(params))
      for (const [key, value] of Object.entries(options.tamper ?? {})) params.set(key, value)
      const url = new URL(options.at ?? returnTo)
      for (const [key, value] of params) url.searchParams.append(key, value)
      return { cookies, request: new Request(url) }
    }
    return { returnTo, callback }
  }
  return { app, saved, start }
}

describe('OpenID 2.0: a hostile provider', () => {
  it('accepts a well-formed assertion the provider confirms (the control case)', async () => {
    const { app, saved, start } = setup()
    const login = await start()
    const identity = await app.authorizeAccessToken(login.callback())
    expect(identity).toEqual({ claimed_id: ID, identity: ID, op_endpoint: OP })
    expect(saved).toEqual([identity])
    expect(calls).toEqual(['check_authentication check_authentication'])
  })

  it('openid2-forged-is-valid: a check_authentication answer that is not is_valid:true is refused', async () => {
    const { app, saved, start } = setup()
    for (const answer of [
      `ns:${NS}\nis_valid:false\n`,
      // Tornado's OpenIdMixin looks for the bytes "is_valid:true" anywhere in the body.
      `ns:${NS}\nis_valid:false\nnote:is_valid:true\n`,
      `ns:${NS}\nis_valid:true\nis_valid:false\n`,
      '<html>is_valid:true</html>',
    ]) {
      checkAnswer = () => answer
      const login = await start()
      const error = await expectCode(
        app.authorizeAccessToken(login.callback()),
        ErrorCode.OPENID_ASSERTION_INVALID,
      )
      expect(error.message).toMatch(/is_valid|key-value form/)
    }
    expect(saved).toEqual([])
  })

  it('openid2-tampered-signed-field: a signed field changed on the way is refused by the provider', async () => {
    const { app, saved, start } = setup()
    const login = await start()
    const other = 'https://op.test/openid/id/76561197960287931'
    const error = await expectCode(
      app.authorizeAccessToken(
        login.callback({}, { tamper: { 'openid.claimed_id': other, 'openid.identity': other } }),
      ),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/not confirmed by the provider/)
    expect(calls).toHaveLength(1)
    expect(saved).toEqual([])
  })

  it('openid2-replayed-nonce: a response_nonce already used is refused, even in another login', async () => {
    const { app, saved, start } = setup()
    const used = nonce()
    const first = await start()
    await app.authorizeAccessToken(first.callback({ 'openid.response_nonce': used }))
    const second = await start()
    const error = await expectCode(
      app.authorizeAccessToken(second.callback({ 'openid.response_nonce': used })),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/already used/)
    expect(saved).toHaveLength(1)
  })

  it('openid2-replayed-nonce-shared: with a shared replayGuard, a nonce used by one registry is refused by another', async () => {
    // Two registries stand for two processes; RedisReplayGuard shares the same way across processes.
    const shared = new MemoryReplayGuard()
    const one = setup({}, shared)
    const two = setup({}, shared)
    const used = nonce()
    await one.app.authorizeAccessToken(
      (await one.start()).callback({ 'openid.response_nonce': used }),
    )
    const login = await two.start()
    await expectCode(
      two.app.authorizeAccessToken(login.callback({ 'openid.response_nonce': used })),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(two.saved).toEqual([])
    // Without the shared guard each registry remembers only its own nonces.
    const three = setup()
    await three.app.authorizeAccessToken(
      (await three.start()).callback({ 'openid.response_nonce': used }),
    )
    expect(three.saved).toHaveLength(1)
  })

  it('openid2-stale-nonce: a response_nonce outside the window is refused before any request', async () => {
    const { app, saved, start } = setup({ nonceMaxAge: 120 })
    for (const age of [121, -121]) {
      const login = await start()
      const error = await expectCode(
        app.authorizeAccessToken(login.callback({ 'openid.response_nonce': nonce(age) })),
        ErrorCode.OPENID_ASSERTION_INVALID,
      )
      expect(error.message).toMatch(age > 0 ? /stale/ : /future/)
    }
    const login = await start()
    await expectCode(
      app.authorizeAccessToken(
        login.callback({ 'openid.response_nonce': '2026-13-01T00:00:00Zx' }),
      ),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(calls).toEqual([])
    expect(saved).toEqual([])
  })

  it('openid2-return-to-mismatch: an assertion made for another login, or another URL, is refused', async () => {
    const { app, saved, start } = setup()
    const victim = await start()
    const attacker = await start()
    // The attacker's own valid assertion, delivered into the victim's login.
    const forged = victim.callback({ 'openid.return_to': attacker.returnTo })
    let error = await expectCode(
      app.authorizeAccessToken(forged),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/another login/)
    // The right return_to, but the callback arrives at another path (§11.1).
    const elsewhere = await start()
    const moved = new URL(elsewhere.returnTo)
    moved.pathname = '/other-callback'
    error = await expectCode(
      app.authorizeAccessToken(elsewhere.callback({}, { at: moved.href })),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/does not match the URL/)
    expect(calls).toEqual([])
    expect(saved).toEqual([])
  })

  it('openid2-op-endpoint-mismatch: an assertion from another OP endpoint is refused', async () => {
    const { app, saved, start } = setup()
    const login = await start()
    const error = await expectCode(
      app.authorizeAccessToken(
        login.callback({ 'openid.op_endpoint': 'https://evil.test/openid' }),
      ),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/op_endpoint/)
    expect(calls).toEqual([])
    expect(saved).toEqual([])
  })

  it('openid2-claimed-id-other-op: a claimed id whose discovery names another OP is refused', async () => {
    const { app, saved, start } = setup()
    const discovered: string[] = []
    const page = (endpoint: string) =>
      `<html><head><link rel="openid2.provider" href="${endpoint}"></head><body></body></html>`
    server.use(
      http.get('https://victim.test/me', ({ request }) => {
        discovered.push(request.headers.get('accept') ?? '')
        return new HttpResponse(page('https://victims-op.test/login'), {
          headers: { 'content-type': 'text/html' },
        })
      }),
      http.get(
        'https://ours.test/me',
        () => new HttpResponse(page(OP), { headers: { 'content-type': 'text/html' } }),
      ),
    )
    const login = await start()
    const victim = 'https://victim.test/me'
    const error = await expectCode(
      app.authorizeAccessToken(
        login.callback({ 'openid.claimed_id': victim, 'openid.identity': victim }),
      ),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/belongs to another OpenID provider/)
    expect(discovered).toEqual(['application/xrds+xml, text/html;q=0.5'])
    // An identifier outside the prefix but discovered to this OP is accepted.
    const ours = await start()
    const identity = await app.authorizeAccessToken(
      ours.callback({
        'openid.claimed_id': 'https://ours.test/me',
        'openid.identity': 'https://ours.test/me',
      }),
    )
    expect(identity.claimed_id).toBe('https://ours.test/me')
    expect(saved).toEqual([identity])
  })

  it('openid2-discovery-edges: a claimed id that redirects, is discovered over http, or whose OP-local id differs is refused', async () => {
    const { app, saved, start } = setup()
    const html = (endpoint: string, local?: string) =>
      new HttpResponse(
        `<html><head><link rel="openid2.provider" href="${endpoint}">${local ? `<link rel="openid2.local_id" href="${local}">` : ''}</head></html>`,
        { headers: { 'content-type': 'text/html' } },
      )
    server.use(
      http.get('https://moved.test/me', () => HttpResponse.redirect('https://ours.test/me', 302)),
      http.get('http://plain.test/me', () => html(OP)),
      http.get('https://local.test/me', () => html(OP, 'https://local.test/someone-else')),
    )
    for (const [claimed, why] of [
      ['https://moved.test/me', /redirect/],
      ['http://plain.test/me', /discovery over http: on a non-loopback host/],
      ['https://local.test/me', /OP-local identifier/],
    ] as const) {
      const login = await start()
      const error = await expectCode(
        app.authorizeAccessToken(
          login.callback({ 'openid.claimed_id': claimed, 'openid.identity': claimed }),
        ),
        ErrorCode.OPENID_ASSERTION_INVALID,
      )
      expect(error.message).toMatch(why)
    }
    expect(saved).toEqual([])
  })

  it('accepts an assertion POSTed as a form (providers do for long answers), the state still in the URL', async () => {
    const { app, saved, start } = setup()
    const login = await start()
    const { cookies, request } = login.callback()
    const url = new URL(request.url)
    const body = new URLSearchParams(
      [...url.searchParams].filter(([key]) => key.startsWith('openid.')),
    )
    for (const key of [...url.searchParams.keys()])
      if (key.startsWith('openid.')) url.searchParams.delete(key)
    const posted = new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    const identity = await app.authorizeAccessToken({ cookies, request: posted })
    expect(identity.claimed_id).toBe(ID)
    expect(saved).toEqual([identity])
  })

  it('openid2-unsigned-required-field: an assertion that leaves a required field unsigned is refused', async () => {
    const { app, saved, start } = setup()
    for (const left of ['response_nonce', 'return_to', 'claimed_id', 'op_endpoint']) {
      const login = await start()
      const signed = [
        'op_endpoint',
        'claimed_id',
        'identity',
        'return_to',
        'response_nonce',
        'assoc_handle',
      ]
      const error = await expectCode(
        app.authorizeAccessToken(login.callback({}, { signed: signed.filter((f) => f !== left) })),
        ErrorCode.OPENID_ASSERTION_INVALID,
      )
      expect(error.message).toContain(`does not sign openid.${left}`)
    }
    expect(calls).toEqual([])
    expect(saved).toEqual([])
  })

  it('openid2-unsigned-attribute: an SREG or AX value that is not signed is left out', async () => {
    const { app, start } = setup()
    const login = await start()
    const signedFields = {
      'openid.ns.sreg': 'http://openid.net/extensions/sreg/1.1',
      'openid.sreg.nickname': 'gabe',
    }
    const request = login.callback(signedFields)
    const url = new URL(request.request.url)
    url.searchParams.append('openid.sreg.email', 'attacker@evil.test')
    url.searchParams.append('openid.ns.ax', 'http://openid.net/srv/ax/1.0')
    url.searchParams.append('openid.ax.mode', 'fetch_response')
    url.searchParams.append('openid.ax.type.email', 'http://axschema.org/contact/email')
    url.searchParams.append('openid.ax.value.email', 'attacker@evil.test')
    const identity = await app.authorizeAccessToken({ ...request, request: new Request(url) })
    expect(identity.sreg).toEqual({ nickname: 'gabe' })
    expect(identity.ax).toBeUndefined()
  })

  it('openid2-cancel: a cancelled login is access_denied, an OP error authorization_error', async () => {
    const { app, saved, start } = setup()
    let login = await start()
    let url = new URL(login.returnTo)
    url.searchParams.set('openid.ns', NS)
    url.searchParams.set('openid.mode', 'cancel')
    await expectCode(
      app.authorizeAccessToken({ cookies: login.callback().cookies, request: new Request(url) }),
      ErrorCode.ACCESS_DENIED,
    )
    login = await start()
    url = new URL(login.returnTo)
    url.searchParams.set('openid.mode', 'error')
    url.searchParams.set('openid.error', 'no\nsuch user')
    const error = await expectCode(
      app.authorizeAccessToken({ cookies: login.callback().cookies, request: new Request(url) }),
      ErrorCode.AUTHORIZATION_ERROR,
    )
    expect(error.message).toMatch(/answered error: no such user$/)
    expect(saved).toEqual([])
  })
})
