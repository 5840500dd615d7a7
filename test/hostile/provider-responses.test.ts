/**
 * Hostile provider responses outside the ID token: discovery naming another issuer, userinfo for another
 * user, odd but legal token responses (which must work), and bodies that are too large, not JSON, or
 * never come.
 */
import { delay, http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar } from '../../src/index.js'
import { REDIRECT, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'

const server = useMsw()
const API = 'https://api.test'

/** An API that records the Authorization header it receives. */
function api() {
  const seen: Array<string | null> = []
  server.use(
    http.get(
      `${API}/me`,
      ({ request }) => (
        seen.push(request.headers.get('authorization')),
        HttpResponse.json({ ok: true })
      ),
    ),
  )
  return seen
}

describe('hostile provider: discovery and userinfo', () => {
  it('discovery-issuer-mismatch: metadata naming another issuer is refused before any login starts', async () => {
    const r = await hostileRig(server)
    r.idp.overrides.discovery = () =>
      HttpResponse.json({ ...r.idp.metadata(), issuer: 'https://evil.test' })
    const cookies = new MemoryCookieJar()
    await r.expectRefused(
      () => r.app.authorizeRedirect({ cookies }, REDIRECT),
      ErrorCode.METADATA_INVALID,
      { calls: ['discovery'] },
    )
    expect(cookies.getAll()).toEqual([]) // no transaction, no redirect to a provider that is not the configured one
  })

  it('userinfo-invalid-sub: userinfo claims for another subject than the ID token are refused', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    r.idp.userinfoClaims = { sub: 'someone-else', email: 'victim@example.test' }
    const err = await r.expectRefused(() => r.app.userinfo(token), ErrorCode.USERINFO_INVALID, {
      calls: ['userinfo'],
    })
    expect(err.message).not.toContain('victim@example.test')
  })
})

describe('hostile provider: odd but legal token responses', () => {
  it('token-type-case: token_type "BeArEr" is accepted, normalised to "bearer" and sent as a Bearer header', async () => {
    const seen = api()
    const r = await hostileRig(server, { config: { apiBaseUrl: API } })
    const login = await r.start()
    r.idp.answerToken(() => ({ access_token: 'at-odd-case', token_type: 'BeArEr' }))
    const token = await r.signIn(login, r.idp.authorize(login.location))
    expect(token.token_type).toBe('bearer')
    await r.app.get('me', { token }).json()
    expect(seen).toEqual(['Bearer at-odd-case'])
  })

  it('no-expires-in: a token response without expires_in is accepted and used without refreshing', async () => {
    const seen = api()
    const r = await hostileRig(server, { config: { apiBaseUrl: API } })
    const login = await r.start()
    r.idp.answerToken(() => ({
      access_token: 'at-no-expiry',
      expires_in: undefined,
      refresh_token: 'rt-unused',
    }))
    const token = await r.signIn(login, r.idp.authorize(login.location))
    expect(token.expires_at).toBeUndefined()
    expect(r.updates).toEqual([token])
    await r.app.get('me', { token }).json()
    expect(seen).toEqual(['Bearer at-no-expiry'])
    expect(r.idp.endpointCalls('token')).toBe(1)
  })
})

describe('hostile provider: transport faults', () => {
  const LIMIT = 16 * 1024
  const huge = () =>
    HttpResponse.json({
      access_token: 'x'.repeat(LIMIT * 2),
      token_type: 'Bearer',
      keys: [],
      sub: 'user-1',
    })
  const html = () =>
    new HttpResponse('<html><body>Sign in</body></html>', {
      status: 200,
      headers: { 'content-type': 'text/html' },
    })

  it('oversized-responses: discovery, token, JWKS and userinfo bodies over maxResponseSize are refused', async () => {
    const r = await hostileRig(server, { config: { maxResponseSize: LIMIT } })
    r.idp.overrides.discovery = huge
    await r.expectRefused(() => r.start(), ErrorCode.RESPONSE_TOO_LARGE, { calls: ['discovery'] })
    delete r.idp.overrides.discovery

    let login = await r.start()
    r.idp.overrides.token = huge
    await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.RESPONSE_TOO_LARGE,
      { login, calls: ['token'] },
    )
    delete r.idp.overrides.token

    login = await r.start()
    r.idp.overrides.jwks = huge
    await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.RESPONSE_TOO_LARGE,
      { login, calls: ['token', 'jwks'] },
    )
    delete r.idp.overrides.jwks

    login = await r.start()
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    r.idp.overrides.userinfo = huge
    await r.expectRefused(() => r.app.userinfo(token), ErrorCode.RESPONSE_TOO_LARGE, {
      calls: ['userinfo'],
    })
  })

  it('non-json-responses: an HTML page from discovery, token, JWKS or userinfo is refused', async () => {
    const r = await hostileRig(server)
    r.idp.overrides.discovery = html
    await r.expectRefused(() => r.start(), ErrorCode.METADATA_INVALID, { calls: ['discovery'] })
    delete r.idp.overrides.discovery

    let login = await r.start()
    r.idp.overrides.token = html
    await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.INVALID_RESPONSE,
      { login, calls: ['token'] },
    )
    delete r.idp.overrides.token

    login = await r.start()
    r.idp.overrides.jwks = html
    await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.INVALID_RESPONSE,
      { login, calls: ['token', 'jwks'] },
    )
    delete r.idp.overrides.jwks

    login = await r.start()
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    r.idp.overrides.userinfo = html
    await r.expectRefused(() => r.app.userinfo(token), ErrorCode.USERINFO_INVALID, {
      calls: ['userinfo'],
    })
  })

  it('token-endpoint-hangs: a token endpoint that never answers, or stops mid-body, is abandoned at the app timeout', async () => {
    const r = await hostileRig(server, { config: { timeout: 300 } })
    let login = await r.start()
    r.idp.overrides.token = async () => {
      await delay('infinite')
      return HttpResponse.json({})
    }
    const started = Date.now()
    const err = await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.TIMEOUT,
      { login, calls: ['token'] },
    )
    expect(err.message).toMatch(/within 300 ms/)
    expect(Date.now() - started).toBeLessThan(5_000)

    login = await r.start()
    const stall = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(new TextEncoder().encode('{"access_token":"at-')),
    })
    r.idp.overrides.token = () =>
      new HttpResponse(stall, { headers: { 'content-type': 'application/json' } })
    const stalled = await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.TIMEOUT,
      { login, calls: ['token'] },
    )
    expect(stalled.message).toMatch(/did not finish its response within 300 ms/)
  })
})
